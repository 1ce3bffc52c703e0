"""Sentence-level procedural intent and section-level regulation matching (measured, not shipped).

Question: an operator's ticket mixes a customer's problem with a procedural question. Read
sentence by sentence (split on . ? ! and newlines), can the procedural sentence (a) be
recognised as procedural where the whole ticket is not, and (b) pick the right one of the ten
regulations (the 8 in Регламенты/ without README, plus the two overview documents) when matched
on its own against the regulations' sections (## / ### parts: document title + heading + text;
«Метаданные документа», «Связанные материалы», «История изменений» dropped)?

Reranks the shipped model's first 20 suggestions (in the dump's order, the shipped ranking):
    score = min(score / first score, previous) + [p >= t] * (w * match(reg) + b)  for regulations,
p: procedural probability, a logistic regression over Russian snowball stems (TF-IDF, sklearn
defaults, balanced class weights), label style == "regulation", trained on eval/tickets.jsonl
only: on whole tickets ("ticket": applied to the whole ticket; "sentence": its max over the
sentences) or on sentences labelled with their ticket's style ("sentence-trained", max).
match(reg): BM25 (k1 1.2, b 0.75, textbook) of the most procedural sentence (or the whole
ticket) against each regulation's sections (or whole documents), best section per regulation,
divided by the best regulation's. t (0: no gate), w, b are chosen on eval/tickets.jsonl by
5-fold CV (Recall@1; ties: fewer out-of-scope with a regulation first, smaller w, b, higher t);
inside each fold the training tickets' p come from an inner cross-fit (over the other folds if
the dump has them), as a new ticket's would. The outside sets are measured once with t, w, b chosen on all of
eval/tickets.jsonl. A last table fixes parameters by hand to compare the parts at equal
strength: not a valid choice.

Use an out-of-fold dump (/tmp/dump21oof.jsonl): there each eval/tickets.jsonl line is ranked by
the model of the fold it was held out of (field "fold", 0..4), and those folds are the CV folds
here. In a plain dump (/tmp/dump21.jsonl, random folds) the own-set rankings are the shipped
model's, fitted on those very tickets: 1 of 55 procedural tickets has a customer article first
(17/60, 35/75 outside), so CV cannot see what a lift would fix. Remaining leak: a training
ticket's ranking comes from a fold model that saw the test fold's tickets.

    cargo run --release --example relevance -- --only spravka --no-cv --dump /tmp/dump21.jsonl \
        --dump-held-out /tmp/held21.jsonl
    pip install scikit-learn numpy snowballstemmer
    nice python3 eval/experiments/procedural_sentences.py /tmp/dump21.jsonl /tmp/held21.jsonl
(a second file's lines replace the first's eval/tickets.jsonl lines; or one merged file, as
/tmp/dump21oof.jsonl, the default).
"""

import itertools
import json
import math
import os
import random
import re
import sys

import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CONTENT = os.path.join(ROOT, "content")
OWN = "eval/tickets.jsonl"
REGS = sorted(f"Регламенты/{f}" for f in os.listdir(os.path.join(CONTENT, "Регламенты"))
              if f.endswith(".md") and f != "README.md") + [
    "Процессы технической поддержки.md", "Регламент работы технической поддержки PASS24.md"]
BOILERPLATE = {"метаданные документа", "связанные материалы", "история изменений"}
STOP = set("""и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
мне было вот от меня еще нет о из ему когда даже ну ли если уже или ни быть был него до вас уж вам ведь
там себя ей они тут где есть ней для мы их чем была сам чтоб без чего тоже себе под будет ж тогда кто
этот того этого ним здесь этом тем чтобы были при об хоть над тот эти нас про них эту этой том им это""".split())
stemmer = snowballstemmer.stemmer("russian")
PROC = lambda r: r["proc"]  # noqa: E731
CUST = lambda r: bool(r["expected"]) and not r["proc"]  # noqa: E731


def stems(text):
    text = re.sub(r"\]\([^)]*\)", "]", text.lower().replace("ё", "е"))  # drop link targets
    return [stemmer.stemWord(w) for w in re.findall(r"[а-яa-z0-9]+", text) if w not in STOP]


def sentences(text):
    return [s for s in re.split(r"[.?!\n]+", text) if len(stems(s)) >= 2] or [text]


rows = [json.loads(line) for line in open(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dump21oof.jsonl")]
if len(sys.argv) > 2:  # held-out rankings of the own set (--dump-held-out) replace the dump's
    rows = [json.loads(line) for line in open(sys.argv[2])] + [r for r in rows if r["set"] != OWN]
texts = {(s, t["id"]): t["text"] for s in {r["set"] for r in rows}
         for t in map(json.loads, open(os.path.join(ROOT, s)))}
for r in rows:
    r["text"] = texts[(r["set"], r["id"])]
    r["sents"], r["proc"] = sentences(r["text"]), r["style"] == "regulation"
SETS = [OWN] + sorted({r["set"] for r in rows} - {OWN})
by_set = {s: [r for r in rows if r["set"] == s] for s in SETS}
own = by_set[OWN]

# ---------- regulation sections / documents and BM25 ----------
units = {"sections": [], "documents": []}  # (regulation, stems)
for reg in REGS:
    text = open(os.path.join(CONTENT, reg)).read()
    title, keep = text.splitlines()[0].lstrip("# "), []
    for chunk in re.split(r"\n(?=#{2,3} )", text)[1:]:
        if chunk.splitlines()[0].lstrip("# ").strip().lower() not in BOILERPLATE:
            units["sections"].append((reg, stems(title + "\n" + chunk)))
            keep.append(chunk)
    units["documents"].append((reg, stems(title + "\n" + "\n".join(keep))))


def bm25_index(unit_list, k1=1.2, b=0.75):
    n, avg = len(unit_list), sum(len(u) for _, u in unit_list) / len(unit_list)
    df = {}
    for _, u in unit_list:
        for w in set(u):
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
    tfs = [(reg, {w: u.count(w) for w in set(u)}, len(u)) for reg, u in unit_list]

    def score(query):
        best = dict.fromkeys(REGS, 0.0)
        for reg, tf, length in tfs:
            best[reg] = max(best[reg], sum(idf[w] * tf[w] * (k1 + 1) / (tf[w] + k1 * (
                1 - b + b * length / avg)) for w in set(query) if w in tf))
        top = max(best.values()) or 1.0
        return {reg: v / top for reg, v in best.items()}
    return score


bm25 = {k: bm25_index(v) for k, v in units.items()}


# ---------- procedural intent ----------
def fit_intent(train):
    """Two models: on whole tickets, and on sentences labelled with their ticket's style."""
    out = []
    for docs in ([(r["text"], r["proc"]) for r in train], [(x, r["proc"]) for r in train for x in r["sents"]]):
        vec = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        model = LogisticRegression(class_weight="balanced").fit(
            vec.fit_transform([d for d, _ in docs]), [y for _, y in docs])
        out.append(lambda ts, m=model, v=vec: m.predict_proba(v.transform(ts))[:, 1])
    return out


def apply_intent(predict, rs):
    """Per row {source: (p, the most procedural sentence)}."""
    out = []
    for r in rs:
        ps, ps2 = predict[0](r["sents"]), predict[1](r["sents"])
        top, top2 = r["sents"][int(ps.argmax())], r["sents"][int(ps2.argmax())]
        out.append({"ticket": (float(predict[0]([r["text"]])[0]), top), "sentence": (float(ps.max()), top),
                    "sentence-trained": (float(ps2.max()), top2)})
    return out


def cross_fit(rs, k=5, seed=7):
    """p out of fold: by the dump's "fold" field when present, else k random folds."""
    order = list(range(len(rs)))
    random.Random(seed).shuffle(order)
    groups = ([[i for i, r in enumerate(rs) if r["fold"] == g] for g in sorted({r["fold"] for r in rs})]
              if all("fold" in r for r in rs) else [sorted(order[f::k]) for f in range(k)])
    out = [None] * len(rs)
    for test in groups:
        predict = fit_intent([rs[i] for i in range(len(rs)) if i not in set(test)])
        for i, v in zip(test, apply_intent(predict, [rs[i] for i in test])):
            out[i] = v
    return out


VARIANTS = {  # name: (intent from, query, units, free terms)
    "full: sentence intent, sentence->sections": ("sentence", "sentence", "sections", "wb"),
    "sentence-trained intent, sentence->sections": ("sentence-trained", "sentence", "sections", "wb"),
    "ticket intent, sentence->sections": ("ticket", "sentence", "sections", "wb"),
    "ticket intent, ticket->sections": ("ticket", "ticket", "sections", "wb"),
    "sentence intent, ticket->sections": ("sentence", "ticket", "sections", "wb"),
    "sentence intent, sentence->documents": ("sentence", "sentence", "documents", "wb"),
    "ticket intent, ticket->documents": ("ticket", "ticket", "documents", "wb"),
    "kind boost only (w=0), sentence intent": ("sentence", "sentence", "sections", "b"),
    "kind boost only (w=0), ticket intent": ("ticket", "sentence", "sections", "b"),
    "match only (b=0), ticket intent, ticket->sections": ("ticket", "ticket", "sections", "w"),
    "match only (b=0), sentence intent, sentence->sections": ("sentence", "sentence", "sections", "w"),
}


def features(rs, intents, variant):
    """Arrays for vectorised reranking: base (N,20), regulation mask, match, hit; p (N)."""
    src, query, unit, _ = VARIANTS[variant]
    base, reg, match, hit = (np.zeros((len(rs), 20)) for _ in range(4))
    base[:], p = -1e9, np.zeros(len(rs))
    for i, (r, it) in enumerate(zip(rs, intents)):
        p[i], sent = it[src]
        m = bm25[unit](stems(sent if query == "sentence" else r["text"]))
        ss = r["suggestions"][:20]
        top, prev = (ss[0]["score"] if ss else 1.0) or 1.0, 1.0
        for j, s in enumerate(ss):  # dump order = shipped ranking (demoted pages last, scores kept)
            base[i, j] = prev = min(prev, s["score"] / top)
            reg[i, j], match[i, j] = s["path"] in REGS, m.get(s["path"], 0.0)
            hit[i, j] = s["path"] in r["expected"]
    return base, reg, match, hit, p


def rerank(f, t, w, b):
    base, reg, match, hit, p = f
    return np.argsort(-(base + (p >= t)[:, None] * reg * (w * match + b)), axis=1, kind="stable")


def choose(rs, f, variant):
    terms, has = VARIANTS[variant][3], np.array([bool(r["expected"]) for r in rs])
    ws = [x / 20 for x in range(21)] + [1.5, 2.0] if "w" in terms else [0.0]
    bs = [x / 20 for x in range(13)] if "b" in terms else [0.0]
    keys = []
    for t, w, b in itertools.product([x / 10 for x in range(10)] + [1.01], ws, bs):
        first = rerank(f, t, w, b)[:, 0]
        hits = f[3][np.arange(len(rs)), first][has].sum()
        oos_reg = f[1][np.arange(len(rs)), first][~has].sum()
        keys.append(((hits, -oos_reg, -w, -b, t), (t, w, b)))
    return max(keys)[1]


def firsts(rs, f, params):
    """Per row: 0-based rank of the first expected article (99: none) and whether a regulation is first."""
    order = rerank(f, *params) if params else np.tile(np.arange(20), (len(rs), 1))
    return [(next((k for k, j in enumerate(order[i]) if f[3][i, j]), 99), bool(f[1][i, order[i, 0]]))
            for i in range(len(rs))]


def summary(rs, res):
    cells = []
    for name, keep in [("all", lambda r: r["expected"]), ("procedural", PROC), ("customer", CUST)]:
        idx = [i for i, r in enumerate(rs) if keep(r)]
        if idx:
            r1, r3 = (sum(res[i][0] < k for i in idx) / len(idx) for k in (1, 3))
            cells.append(f"{name} {r1:.3f}/{r3:.3f} (n={len(idx)})")
    oos = [i for i, r in enumerate(rs) if not r["expected"]]
    return "  ".join(cells + [f"oos reg-first {sum(res[i][1] for i in oos)}/{len(oos)}"])


def moved(rs, before, after, keep=lambda r: True):
    return (f"+{sum(a[0] == 0 < b_[0] for r, a, b_ in zip(rs, after, before) if keep(r))}"
            f"-{sum(b_[0] == 0 < a[0] for r, a, b_ in zip(rs, after, before) if keep(r))}")


def auc(rs, scores):
    pos = [s for r, s in zip(rs, scores) if r["proc"]]
    neg = [s for r, s in zip(rs, scores) if not r["proc"]]
    if not pos or not neg:
        return float("nan")
    return sum((a > c) + 0.5 * (a == c) for a in pos for c in neg) / len(pos) / len(neg)


# ---------- intents: cross-fitted on the own set, one model (all own tickets) for the outside sets ----------
final_intent = fit_intent(own)
intents = {s: cross_fit(own) if s == OWN else apply_intent(final_intent, by_set[s]) for s in SETS}

print("== (a) procedural intent: AUC regulation-style vs the rest (own set cross-fitted) ==")
for s in SETS:
    print(f"  {s:36s} " + "   ".join(f"{k} {auc(by_set[s], [x[k][0] for x in intents[s]]):.3f}"
                                     for k in intents[s][0]))
print("   p >= 0.5: procedural / customer / out-of-scope tickets flagged")
for s in SETS:
    rs, it = by_set[s], intents[s]
    print(f"  {s:36s} " + "   ".join(k + " " + " / ".join(
        f"{sum(x[k][0] >= 0.5 for r, x in zip(rs, it) if g(r))}/{sum(bool(g(r)) for r in rs)}"
        for g in (PROC, CUST, lambda r: not r["expected"])) for k in it[0]))

print("== procedural tickets the shipped model misses: customer article first (of them: the first"
      " regulation listed is right) / wrong regulation first ==")
for s in SETS:
    miss = [r for r in by_set[s] if r["proc"] and r["suggestions"][0]["path"] not in r["expected"]]
    mode1 = [r for r in miss if r["suggestions"][0]["path"] not in REGS]
    right = sum(next((g["path"] for g in r["suggestions"] if g["path"] in REGS), "") in r["expected"]
                for r in mode1)
    if miss:
        print(f"  {s:36s} customer first {len(mode1)} ({right})   wrong regulation first {len(miss) - len(mode1)}")

print("== (b) procedural tickets: is the best-matching regulation (BM25 alone) an expected one? ==")
for s in SETS:
    pr = [(r, x) for r, x in zip(by_set[s], intents[s]) if r["proc"]]
    if pr:
        cells = [f"shipped ranking's first regulation {sum(next((g['path'] for g in r['suggestions'] if g['path'] in REGS), '') in r['expected'] for r, _ in pr)}/{len(pr)}"]
        for q, u in itertools.product(["sentence", "ticket"], ["sections", "documents"]):
            ms = [bm25[u](stems(x["sentence"][1] if q == "sentence" else r["text"])) for r, x in pr]
            cells.append(f"{q}->{u} {sum(max(REGS, key=m.get) in r['expected'] for (r, _), m in zip(pr, ms))}")
        print(f"  {s:36s} " + "  ".join(cells))

random.seed(1)
order = list(range(len(own)))
random.shuffle(order)
folds = ([[i for i, r in enumerate(own) if r["fold"] == g] for g in sorted({r["fold"] for r in own})]
         if all("fold" in r for r in own) else [sorted(order[i::5]) for i in range(5)])
print(f"\nCV folds: {'the dump' + chr(39) + 's' if 'fold' in own[0] else 'random'}, sizes {[len(f) for f in folds]}")
fold_data = []  # per fold: training rows with cross-fitted p, test rows with the fold model's p
for fold in folds:
    tr, te = [own[i] for i in range(len(own)) if i not in set(fold)], [own[i] for i in fold]
    fold_data.append((tr, cross_fit(tr), te, apply_intent(fit_intent(tr), te)))
results = {}
print("\n== Recall@1/Recall@3 before -> after (own set: 5-fold CV; outside: chosen on all own);"
      " [+up -down at rank 1] ==")
for variant in VARIANTS:
    cv_res, chosen = [None] * len(own), []
    for fold, (tr, tr_int, te, te_int) in zip(folds, fold_data):
        chosen.append(choose(tr, features(tr, tr_int, variant), variant))
        for i, v in zip(fold, firsts(te, features(te, te_int, variant), chosen[-1])):
            cv_res[i] = v
    f_own = features(own, intents[OWN], variant)
    params = choose(own, f_own, variant)
    results[variant] = {OWN: (firsts(own, f_own, None), cv_res)}
    for s in SETS[1:]:
        f = features(by_set[s], intents[s], variant)
        results[variant][s] = (firsts(by_set[s], f, None), firsts(by_set[s], f, params))
    print(f"\n-- {variant}: folds chose (t,w,b) {chosen}; all own -> {params}")
    for s in SETS:
        before, after = results[variant][s]
        if variant == list(VARIANTS)[0]:
            print(f"  {s:36s} before {summary(by_set[s], before)}")
        print(f"  {s:36s} after  {summary(by_set[s], after)}  [{moved(by_set[s], before, after)}"
              f" P{moved(by_set[s], before, after, PROC)} C{moved(by_set[s], before, after, CUST)}]")

print("\n== NOT a valid choice (parameters fixed by hand, outside sets looked at): the parts at equal"
      " strength; rank-1 +up-down, procedural P / customer C ==")
kind = [v for v in VARIANTS if v.startswith("kind")] + ["sentence-trained intent, sentence->sections"]
for params in [(0.4, 0.35, 0.0), (0.4, 0.0, 0.35), (0.5, 0.0, 0.35), (0.3, 0.0, 1.0), (0.5, 0.0, 1.0),
               (0.7, 0.0, 1.0)]:
    print(f"  (t, w, b) = {params}" + ("" if params[1] else ": the same boost for every regulation"))
    for variant in [v for v in VARIANTS if v not in kind[:2] and v[0] != "m"] if params[1] else kind:
        cells = []
        for s in SETS[1:]:
            f = features(by_set[s], intents[s], variant)
            b_, a = firsts(by_set[s], f, None), firsts(by_set[s], f, params)
            cells.append(f"{s.split('/')[-1][:12]} P{moved(by_set[s], b_, a, PROC)} C{moved(by_set[s], b_, a, CUST)}")
        print(f"    {(variant if params[1] else VARIANTS[variant][0] + ' intent')[:44]:44s} " + "  ".join(cells))

for variant in [list(VARIANTS)[0], "ticket intent, sentence->sections"]:
    print(f"\n== examples that moved at rank 1 ({variant}, parameters chosen on all own) ==")
    for s in SETS:
        for r, b_, a in zip(by_set[s], *results[variant][s]):
            if (a[0] == 0) != (b_[0] == 0) or (not r["expected"] and a[1] != b_[1]):
                tag = "UP  " if a[0] == 0 else "DOWN" if r["expected"] else "OOS "
                print(f"  {tag} {s.split('/')[-1]} {r['id']} [{r['style']}] rank {b_[0] + 1}->{a[0] + 1} "
                      f"want {[e.split('/')[-1][:28] for e in r['expected']]}: {' '.join(r['text'].split())[:220]}")
