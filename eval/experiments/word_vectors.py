"""Would general Russian word vectors help suggest? (issue 13; measured and not shipped,
BENCHMARKS.md "Word vectors").

Reranks the shipped model's suggestions with one added term, weight * soft coverage: each
ticket word's best cosine to any word of the article, weighted by SIF (a / (a + p(word))).
The weight is chosen by 5-fold cross-validation over the project's tickets (and once on all
of them for the outside sets, which are only measured). Also fits the procedural intent on
the averaged vectors, for its held-out area under the curve.

Needs numpy and navec (pip install navec) and the navec news vectors, which the natasha wheel
carries (pip download --no-deps natasha; unzip natasha-*.whl 'natasha/data/emb/*'):

    cargo run --release --example relevance -- --only spravka --no-cv --dump /tmp/dump.jsonl
    python3 eval/experiments/word_vectors.py /tmp/dump.jsonl \
        natasha/data/emb/navec_news_v1_1B_250K_300d_100q.tar
"""

import glob
import json
import os
import random
import re
import sys

import numpy as np
from navec import Navec

dump_path, vectors_path = sys.argv[1], sys.argv[2]
content = os.path.join(os.path.dirname(__file__), "..", "..", "content")
navec = Navec.load(vectors_path)
counts = dict(zip(navec.vocab.words, navec.vocab.counts))
total = sum(counts.values())
cache = {}


def words(text):
    return re.findall(r"[а-яёa-z0-9]+", text.lower().replace("ё", "е"))


def vector(word):
    if word not in cache:
        cache[word] = None
        if word in navec:
            v = navec[word].astype(np.float64)
            cache[word] = v / (np.linalg.norm(v) + 1e-9)
    return cache[word]


def sif(word, a=1e-4):
    return a / (a + counts.get(word, 1) / total)


def mean_vector(ws):
    acc = np.zeros(300)
    for w in ws:
        if vector(w) is not None:
            acc += sif(w) * vector(w)
    return acc / (np.linalg.norm(acc) + 1e-9)


articles = {}
for path in glob.glob(os.path.join(content, "**", "*.md"), recursive=True):
    known = sorted({w for w in words(open(path).read()) if vector(w) is not None})
    articles[os.path.relpath(path, content)] = np.array([vector(w) for w in known])


def soft_coverage(ticket_words, article):
    known = [w for w in ticket_words if vector(w) is not None]
    if not known or article is None or not len(article):
        return 0.0
    best = (np.array([vector(w) for w in known]) @ article.T).max(axis=1)
    weights = np.array([sif(w) for w in known])
    return float((best * weights).sum() / weights.sum())


rows = [json.loads(line) for line in open(dump_path)]
for r in rows:
    ws = words(r["text"])
    for s in r["suggestions"]:
        s["soft"] = soft_coverage(ws, articles.get(s["path"]))


def first(row, weight):
    ss = row["suggestions"]
    if not ss:
        return False
    top = max(s["score"] for s in ss) or 1.0
    best = max(ss, key=lambda s: s["score"] / top + weight * s["soft"])
    return best["path"] in row["expected"]


def recall_at_1(rs, weight):
    return sum(first(r, weight) for r in rs) / len(rs)


grid = [x / 10 for x in range(31)]
own_set = rows[0]["set"]
own = [r for r in rows if r["set"] == own_set and r["expected"]]
random.seed(1)
order = list(range(len(own)))
random.shuffle(order)
folds = [order[i::5] for i in range(5)]
held_out = 0
for fold in folds:
    train = [own[i] for i in order if i not in fold]
    weight = max(grid, key=lambda w: (recall_at_1(train, w), -w))
    held_out += sum(first(own[i], weight) for i in fold)
full = max(grid, key=lambda w: (recall_at_1(own, w), -w))
print(f"{own_set}: Recall@1 {recall_at_1(own, 0):.3f} -> {held_out / len(own):.3f} cross-validated")
for s in sorted({r["set"] for r in rows} - {own_set}):
    rs = [r for r in rows if r["set"] == s and r["expected"]]
    print(f"{s}: Recall@1 {recall_at_1(rs, 0):.3f} -> {recall_at_1(rs, full):.3f} (weight {full})")

# The procedural intent from averaged vectors: held-out area under the curve.
tickets = [r for r in rows if r["set"] == own_set]
x = np.array([mean_vector(words(t["text"])) for t in tickets]) * 5
y = np.array([t["style"] == "regulation" for t in tickets], float)
scores = np.zeros(len(tickets))
order = list(range(len(tickets)))
random.seed(3)
random.shuffle(order)
for fold in [order[i::5] for i in range(5)]:
    train = [i for i in order if i not in fold]
    w, b = np.zeros(300), 0.0
    for _ in range(2000):
        p = 1 / (1 + np.exp(-(x[train] @ w + b)))
        w -= 0.5 * (x[train].T @ (p - y[train]) / len(train) + 10 * w / len(train))
        b -= 0.5 * (p - y[train]).mean()
    scores[fold] = x[fold] @ w + b
pos, neg = scores[y == 1], scores[y == 0]
print(f"intent from averaged vectors: AUC {(pos[:, None] > neg[None, :]).mean():.3f}")
