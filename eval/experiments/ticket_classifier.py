"""Which article a ticket's words point to, learned from the labelled tickets (measured, then
built as `search::article_model`, BENCHMARKS.md session 27).

Question: BM25 hears the words an article shares with a ticket. Do the project's 805 labelled
tickets, ~20 per article by eleven writers, teach how people put each article's problem well
enough that a text classifier, added to the search score, ranks better on tickets it never saw?

Reranks the first 20 suggestions of each ticket as  score / first + lam * P(article | ticket),
P from a multinomial logistic regression (sklearn, TF-IDF over Russian snowball stems, C given;
out-of-scope tickets a class of their own, a ticket with two answers a row for each).
The project's tickets: each ticket's ranking from `--dump-held-out` (the model of the fold it
was held out of), P out of fold (the dump's folds), lam chosen per fold on the other folds.
The sets never tuned on: the shipped model's rankings from `--dump`, P from the classifier
fitted on all 805 tickets, lam chosen on the project's out-of-fold P.

    cargo run --release --example relevance -- --only spravka \
        --dump-held-out /tmp/ho.jsonl --dump /tmp/dump.jsonl
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn snowballstemmer
    /tmp/venv/bin/python eval/experiments/ticket_classifier.py /tmp/ho.jsonl /tmp/dump.jsonl 10

Result (session 27, C 3..100 alike): cross-validated Recall@1 0.756 -> 0.85-0.87; dev-hard
0.788 -> 0.86-0.89; operators' questions 0.550 -> 0.68-0.73; operator voices 0.733 -> 0.875.
The Rust model reads binary stems (as the intent model does) and is fitted by 300 steps of
gradient descent, which measured alike here (cross-validated 0.837, dev-hard 0.909).
"""
import json, re, sys, collections, numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
stem = snowballstemmer.stemmer('russian')
def toks(t):
    t = t.lower().replace('ё','е')
    return stem.stemWords(re.findall(r'[а-яa-z0-9]+', t))
def load(p): return [json.loads(l) for l in open(p)]
ho = load(sys.argv[1]); dump = load(sys.argv[2])
C = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
def fit(rows):
    X, y = [], []
    for r in rows:
        labs = r['expected'] or ['__none__']
        for l in labs:
            X.append(' '.join(toks(r['text']))); y.append(l)
    v = TfidfVectorizer(sublinear_tf=True, token_pattern=r'\S+', ngram_range=(1,1), min_df=1)
    Xv = v.fit_transform(X)
    m = LogisticRegression(C=C, max_iter=2000)
    m.fit(Xv, y)
    return v, m
def probs(vm, rows):
    v, m = vm
    P = m.predict_proba(v.transform([' '.join(toks(r['text'])) for r in rows]))
    cls = list(m.classes_)
    return [dict(zip(cls, p)) for p in P]
folds = sorted(set(r['fold'] for r in ho))
oof = [None]*len(ho)
for k in folds:
    tr = [r for r in ho if r['fold'] != k]
    vm = fit(tr)
    idx = [i for i, r in enumerate(ho) if r['fold'] == k]
    for i, p in zip(idx, probs(vm, [ho[i] for i in idx])): oof[i] = p
def rerank(r, p, lam, mode):
    s = r['suggestions']
    if not s: return []
    first = s[0]['score'] or 1
    out = []
    for j, c in enumerate(s):
        base = c['score']/first
        pc = p.get(c['path'], 0.0)
        v = base + lam*pc if mode == 'add' else base*(1+lam*pc)
        out.append((-v, j, c['path']))
    return [x[2] for x in sorted(out)]
def metrics(rows, ps, lam, mode):
    r1 = r3 = mrr = n = 0
    for r, p in zip(rows, ps):
        if not r['expected']: continue
        n += 1
        order = rerank(r, p, lam, mode) if lam else [c['path'] for c in r['suggestions']]
        exp = set(r['expected'])
        rank = next((i for i, x in enumerate(order) if x in exp), None)
        if rank == 0: r1 += 1
        if rank is not None and rank < 3: r3 += 1
        if rank is not None and rank < 5: mrr += 1/(rank+1)
    return r1/n, r3/n, mrr/n, n
lams = [0, 0.5, 1, 2, 3, 4, 5, 7, 10, 15]
for mode in ['add', 'mul']:
    # choose lambda per held-out fold on the other folds' OOF
    hits = [0,0,0]; n = 0; chosen = []
    for k in folds:
        tr = [(r, p) for r, p in zip(ho, oof) if r['fold'] != k]
        best = max(lams, key=lambda l: (metrics(*zip(*tr), l, mode)[0], -l))
        chosen.append(best)
        te = [(r, p) for r, p in zip(ho, oof) if r['fold'] == k]
        a, b, c, m = metrics(*zip(*te), best, mode)
        hits[0] += a*m; hits[1] += b*m; hits[2] += c*m; n += m
    print(mode, 'chosen', chosen, 'CV R@1/R@3/MRR %.3f %.3f %.3f' % tuple(h/n for h in hits))
print('before CV', '%.3f %.3f %.3f' % metrics(ho, oof, 0, 'add')[:3])
# by style
vm_all = fit(ho)
for mode in ['add', 'mul']:
    lam = max(lams, key=lambda l: (metrics(ho, oof, l, mode)[0], -l))
    print('== outside, mode', mode, 'lambda', lam)
    sets = collections.defaultdict(list)
    for r in dump:
        if r['set'] != 'eval/tickets.jsonl': sets[r['set']].append(r)
    for s, rows in sets.items():
        ps = probs(vm_all, rows)
        b = metrics(rows, ps, 0, mode); a = metrics(rows, ps, lam, mode)
        print(f"{s}: n={b[3]} before %.3f/%.3f/%.3f after %.3f/%.3f/%.3f" % (b[:3] + a[:3]))
