"""How well does each label-free score rank the adaptation candidates that `tl-nb compare` and `tl-nb adapt --method auto` choose among?

    python tools/label_free_check.py syn-to-digits digits-to-digitsm

For one embedded shift, trains every method of `--method auto` at every setting of its grid on the tuning draw (compare's budget),
then prints, per candidate, the target accuracy its hidden labels give and several label-free scores, and per score its Spearman
correlation with the target accuracy over the candidates and the candidate it would pick. A diagnostic for choosing the rule, not a
test: two shifts are too few to choose a rule from. Scores (higher is better): DEV on the 0-1 error (what `tl_nb.selection` uses),
DEV and importance weighting on the cross-entropy, source validation accuracy, minus the mean entropy of the target predictions,
information maximisation (SHOT's objective, negated), soft neighbourhood density (Saito et al. 2021) and agreement with the
candidates' majority vote. About 3 minutes per shift on two CPU cores.
"""
import sys, time

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr

from tl_nb.adapt import DOMAIN_TASKS
from tl_nb.cli import ADAPTATION_CAP, _adaptation_methods
from tl_nb.models import extract_features
from tl_nb.selection import density_ratio, dev_risk
from tl_nb.shot import information_maximisation

SCORES = ('dev01', 'dev_ce', 'iwv_ce', 'source_acc', 'neg_entropy', 'im', 'snd', 'vote_agreement')


def logits_of(model, ds):
    model.eval()
    with torch.no_grad(): return torch.cat([model(x) for x, _ in torch.utils.data.DataLoader(ds, batch_size=256)])


def soft_neighbourhood_density(probs, temperature=0.05):
    "SND: the mean entropy of each target prediction's softmax-weighted similarity to the others (higher: denser neighbourhoods)."
    z = F.normalize(probs, dim=1)
    sim = z @ z.T
    sim.fill_diagonal_(-float('inf'))
    q = (sim / temperature).softmax(1)
    return -(q * q.clamp_min(1e-12).log()).sum(1).mean().item()


def candidates(name, seed=100):
    task = DOMAIN_TASKS[name]()
    train, valid = task.draw(seed)
    some_train = train.subset(torch.randperm(len(train), generator=torch.Generator().manual_seed(0))[:2000])
    for method in _adaptation_methods(ADAPTATION_CAP):
        for setting in method.grid:
            model = task.fit(method, seed, setting).model
            lv, lt = logits_of(model, valid), logits_of(model, task.target)
            ce = F.cross_entropy(lv, valid.labels, reduction='none').double().numpy()
            err = (lv.argmax(1) != valid.labels).double().numpy()
            features = [extract_features(model.body, ds)[0].numpy() for ds in (some_train, task.target, valid)]
            w = density_ratio(features[0], features[1])(features[2])
            p = lt.softmax(1)
            yield dict(method=method.name, setting=setting, target_acc=(lt.argmax(1) == task.target.labels).float().mean().item(),
                       dev01=1 - dev_risk(err, w), dev_ce=-dev_risk(ce, w), iwv_ce=-(w * ce).mean(), source_acc=1 - err.mean(),
                       neg_entropy=(p * p.clamp_min(1e-12).log()).sum(1).mean().item(), im=-information_maximisation(lt).item(),
                       snd=soft_neighbourhood_density(p), predictions=lt.argmax(1).numpy())


def main(names):
    for name in names:
        t0 = time.perf_counter()
        rows = list(candidates(name))
        votes = np.stack([r['predictions'] for r in rows])
        majority = np.array([np.bincount(column, minlength=votes.max() + 1).argmax() for column in votes.T])
        for r in rows: r['vote_agreement'] = float((r['predictions'] == majority).mean())
        print(f"\n{name}: {len(rows)} candidates in {time.perf_counter() - t0:.0f} s; the best reaches {100 * max(r['target_acc'] for r in rows):.1f}%")
        print('| candidate | target acc | ' + ' | '.join(SCORES) + ' |')
        for r in rows:
            print(f"| {r['method']} {r['setting'] or ''} | {100 * r['target_acc']:.1f} | " + ' | '.join(f"{r[k]:.3f}" for k in SCORES) + ' |')
        accs = [r['target_acc'] for r in rows]
        for k in SCORES:
            scores = [r[k] for r in rows]
            top = max(scores)
            tied = sum(s >= top - 1e-9 for s in scores)
            pick = rows[int(np.argmax(scores))]
            print(f"{k:15s} Spearman {spearmanr(scores, accs)[0]:+.2f}; picks {pick['method']} {pick['setting'] or ''} ({100 * pick['target_acc']:.1f}%)"
                  + (f"; {tied} candidates tie at its maximum" if tied > 1 else ''))


if __name__ == '__main__':
    main(sys.argv[1:] or ['syn-to-digits'])
