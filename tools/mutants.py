"""Mutation testing: small, plausible, wrong changes to tl_nb's algorithms; the tests must notice every one.

    python tools/mutants.py                    # every mutant; prints which survived; exits 1 if any survived
    python tools/mutants.py --list             # the mutants, the notebook each edits and the tests it runs
    python tools/mutants.py dann-no-reversal knn-tie-lowest-label --jobs 2

Each mutant replaces one piece of code in an exported cell of a notebook (the single source of both `tl_nb/*.py` and the
chapter's own tests) inside a throwaway copy of the repository, re-exports the package there, and runs the tests that
should notice the change: the fast cells of the notebooks it names, as the README's test command runs them, and the pytest
files it names. Tests that fail kill the mutant; tests that pass let it survive, which means the tests cannot tell the
wrong code from the right one. A mutant whose code is no longer found is an error, not a survivor: update the mutant.

`tests/test_mutants.py` checks, in every CI run, that each mutant still applies to exactly one place; the mutants
themselves take about a minute each (a notebook in a fresh kernel), so run this before a change to an algorithm lands.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]


class Mutant(NamedTuple):
    name: str
    notebook: str          # the notebook (stem) whose exported code the mutant edits
    old: str               # the code replaced: it must appear exactly once among the notebook's code cells
    new: str
    tests: tuple           # notebooks (stems) and pytest files (tests/...) that should notice
    why: str               # what is wrong with the mutated code


M = Mutant
MUTANTS = [
    # the training loop, checkpoints and resume
    M('resume-forgets-rng', '00_core', "    set_rng_state(state['rng'])\n", "    pass\n", ('00_core', 'tests/test_core.py'),
      'a resumed run draws other random numbers (dropout, augmentation) than the uninterrupted one'),
    M('resume-forgets-loader', '00_core', "    _set_loader_state(train_dl, state['loader'])\n", "    pass\n", ('00_core', 'tests/test_core.py'),
      'a resumed run restarts its data order, so it sees other batches than the uninterrupted one'),
    M('save-not-atomic', '00_core', "        with os.fdopen(fd, 'wb') as f:\n            torch.save(obj, f)\n            f.flush()\n            os.fsync(f.fileno())\n        os.replace(tmp, path)\n",
      "        os.close(fd); os.unlink(tmp)\n        with open(path, 'wb') as f:\n            torch.save(obj, f)\n", ('00_core', 'tests/test_core.py'),
      'saving straight to the file: an interrupted save leaves a half-written file under the real name'),
    M('patience-one-late', '00_core', "_epochs_since_best(history, monitor, mode) >= patience", "_epochs_since_best(history, monitor, mode) > patience",
      ('00_core', 'tests/test_core.py'), 'early stopping waits one epoch more than its patience'),
    M('frozen-bn-trains', '00_core', "                if isinstance(m, nn.modules.batchnorm._BatchNorm): m.eval()", "                pass",
      ('00_core', 'tests/test_core.py', '11_finetune'), 'frozen BatchNorm keeps updating its running statistics'),
    # the protocol
    M('z-for-t', '06_protocol', "stats.t.ppf(0.5 + confidence / 2, len(v) - 1)", "stats.norm.ppf(0.5 + confidence / 2)", ('06_protocol',),
      'a normal quantile where Student\'s t is due: intervals over five seeds 1.4 times too narrow'),
    M('interval-biased-std', '06_protocol', "v.std(ddof=1)", "v.std()", ('06_protocol',), 'the biased standard deviation narrows every interval'),
    M('unpaired-difference', '06_protocol', "return t_interval(np.subtract(a, b), confidence)", "return t_interval(np.subtract(a, b[::-1]), confidence)",
      ('06_protocol',), 'differences taken between different seeds: the pairing is lost'),
    M('at-cap-strict', '06_protocol', "return self.stopped_by in ('validation', 'tuning') and self.steps >= self.cap",
      "return self.stopped_by in ('validation', 'tuning') and self.steps > self.cap", ('06_protocol',),
      'a run that peaked at its last step is not flagged, so its cap is never extended'),
    M('pick-first-of-ties', '06_protocol', "    if len(tied) == 1: return tied[0]\n", "    return tied[0]\n", ('06_protocol',),
      'a flat region of the grid picks its first setting, not its middle'),
    M('pool-index-by-position', '06_protocol', "                index = [next(k for k, t in enumerate(trains) if c.train is t) for c in candidates]\n",
      "                index = list(range(len(candidates)))\n", ('06_protocol',),
      "a shared worker pool runs a comparison's candidates by their position, not by their own training code: a part of a registered list trains the wrong candidate"),
    M('extended-cap-undeclared', '06_protocol', "start = lambda r: extended[r.name][0] * r.budgets[0].batch if r.name in extended else r.budgets[0].allowed",
      "start = lambda r: r.budgets[0].allowed", ('06_protocol',),
      'a cap the protocol doubled is reported as an undeclared budget difference'),
    M('steps-edge-as-grid-edge', '06_protocol', "setting_edge = any(e != 'steps high' for e in r.edges)", "setting_edge = bool(r.edges)", ('06_protocol',),
      "a run stuck at its step cap is marked '(grid edge)' in the setting column, as if its setting were"),
    M('bound-cap-unexplained', '06_protocol', "for name, (a, b) in self.extended_caps().items()]", "for name, (a, b) in self.extended_caps().items() if not self[name].budget_note]",
      ('06_protocol',), "an oracle (or any row with a budget note) whose cap the protocol doubled gets no note saying so"),
    # episodes and few-shot
    M('episode-with-replacement', '04_episodes', "[torch.randperm(len(idx), generator=g)[:per_class]]",
      "[torch.randint(len(idx), (per_class,), generator=g)]", ('04_episodes', 'tests/test_episodes.py'),
      'an image can be drawn twice in an episode, in its support and its query set'),
    M('meta-split-overlap', '08_fewshot', "sorted(order[valid_classes:])", "sorted(order[valid_classes - 1:])", ('08_fewshot',),
      'one class is both a meta-training and a meta-validation class'),
    M('prototype-sum', '00_core', "    return sums / torch.bincount(y, minlength=n_classes).clamp_min(1)[:, None].to(x.dtype)",
      "    return sums", ('00_core', '08_fewshot', '20_protonets'), 'class means (prototypes) are class sums: unequal shots bias the classes'),
    M('prototype-logit-sign', '08_fewshot', "return -(queries[:, None, :] - protos[None, :, :]).pow(2).sum(-1)",
      "return (queries[:, None, :] - protos[None, :, :]).pow(2).sum(-1)", ('08_fewshot', '20_protonets'),
      'training logits favour the farthest prototype'),
    M('inner-loop-first-order', '08_fewshot', "g = grad(loss)({k: p.detach() for k, p in live.items()} if first_order else live)",
      "g = grad(loss)({k: p.detach() for k, p in live.items()})", ('08_fewshot', '21_maml'),
      'MAML silently becomes first-order: no gradient through the inner loop'),
    M('inner-loop-adapts-frozen', '08_fewshot', "trainable = {k for k, p in model.named_parameters() if p.requires_grad}",
      "trainable = {k for k, p in model.named_parameters()}", ('08_fewshot',), 'frozen layers change in the inner loop'),
    M('task-bn-unbiased', '08_fewshot', "var = x.var((0, 2, 3), unbiased=False, keepdim=True)", "var = x.var((0, 2, 3), unbiased=True, keepdim=True)",
      ('08_fewshot', '21_maml'), 'task BatchNorm normalises with the unbiased variance, unlike nn.BatchNorm2d in training'),
    M('maml-query-unadapted', '21_maml', "return F.cross_entropy(functional_call(model, adapted, (query,)), query_labels)",
      "return F.cross_entropy(functional_call(model, params, (query,)), query_labels)", ('21_maml',),
      'the query loss is taken before adaptation: plain multi-task training, not MAML'),
    M('reptile-first-task-only', '22_reptile', "target = {k: torch.stack([e[k] for e in ends]).mean(0) for k in ends[0]}",
      "target = {k: ends[0][k] for k in ends[0]}", ('22_reptile',), 'the Reptile step follows the first task of the batch only'),
    M('reptile-step-doubled', '22_reptile', "return {'loss': distance / 2, 'distance': distance.detach().sqrt()}",
      "return {'loss': distance, 'distance': distance.detach().sqrt()}", ('22_reptile',),
      'the outer step is 2ε(φ̃ − φ), twice the Reptile update'),
    # features, fine-tuning and transferability
    M('knn-tie-lowest-label', '10_features', "    return ranked.gather(1, tied.int().argmax(1, keepdim=True)).squeeze(1)",
      "    return counts.argmax(1)", ('10_features',), 'a tie goes to the lowest label, not to the nearest neighbour'),
    M('l2sp-pulls-to-zero', '11_finetune', "body = sum(((p - s) ** 2).sum() for p, s in zip(model.body.parameters(), self.start.values()))",
      "body = sum((p ** 2).sum() for p, s in zip(model.body.parameters(), self.start.values()))", ('11_finetune',),
      'L2-SP decays the body toward zero (weight decay) instead of toward the pretrained weights'),
    M('gradual-drops-validation', '11_finetune', "epochs=run.epochs, **run.fit_kw)", "epochs=run.epochs)", ('11_finetune', 'tests/test_finetune.py'),
      'gradual unfreezing through transfer() (and tl-nb fit) loses its validation: it keeps the last epoch, not the best'),
    M('logme-total-not-per-sample', '40_choose', "_max_evidence(s ** 2, U.T @ onehot, onehot.sum(0), n, d)[0]) / n)",
      "_max_evidence(s ** 2, U.T @ onehot, onehot.sum(0), n, d)[0]))", ('40_choose', 'tests/test_selection_and_scores.py'),
      'LogME summed over images: scores of datasets of different sizes are not comparable'),
    M('logme-no-2pi', '40_choose', " - n * np.log(2 * np.pi) - beta * r2", " - beta * r2", ('40_choose', 'tests/test_selection_and_scores.py'),
      'the log evidence drops its normalising constant'),
    M('h-score-shrinks-one-side', '40_choose', "(1 - lw.shrinkage_) * between", "between", ('40_choose', 'tests/test_selection_and_scores.py'),
      'the shrunk H-score shrinks the total covariance but not the between-class one'),
    # domain adaptation
    M('adabn-biased-var', '09_adapt', "(sums['ss'] - n * mean * mean) / (n - 1)", "(sums['ss'] - n * mean * mean) / n", ('09_adapt',),
      'AdaBN stores the biased variance, unlike BatchNorm\'s running statistics'),
    M('adaptation-ignores-network', '09_adapt', "model = (network or lenet_classifier)(source.shape[0], len(source.classes))",
      "model = lenet_classifier(source.shape[0], len(source.classes))", ('09_adapt',),
      'fit_adaptation trains a LeNet from scratch whatever network it is given: a pretrained start silently never happens'),
    M('checkpoints-ignore-network', '09_adapt', "-{shape}{_network_label(kwargs.get('network'))}\"", "-{shape}\"", ('09_adapt',),
      'a LeNet run and a pretrained run of the same method, setting and seed share a checkpoint folder: resume continues the wrong network'),
    M('checkpoints-ignore-run-shape', '09_adapt', "-seed{seed}-{shape}{", "-seed{seed}{", ('09_adapt',),
      'runs that differ only in lr, batch or schedule horizon share a checkpoint folder: one resumes from the other\'s weights'),
    M('tuning-table-ticks-first-cap', '09_adapt', "key=lambda t: t.setting.get('cap', 0), default=None)", "key=lambda t: -t.setting.get('cap', 0), default=None)", ('09_adapt',),
      "the tuning table ticks the rule's setting at its first cap, not the extended run whose best step every seed trained"),
    M('checkpoints-trust-any-name', '09_adapt', "if not name or '<' in name:", "if not name:", ('09_adapt',),
      'two networks made by one factory (nested functions of one name) share their checkpoint folders'),
    M('adabn-keeps-mean', '09_adapt', "norm.running_mean.copy_(mean); ", "", ('09_adapt',), 'AdaBN re-estimates the variance but keeps the source mean'),
    M('coral-scale', '09_adapt', "return (cs - ct).pow(2).sum() / (4 * d * d)", "return (cs - ct).pow(2).sum() / (4 * d)", ('09_adapt',),
      'the CORAL distance is d times too large (its weight grid then means something else)'),
    M('self-training-keeps-all', '09_adapt', "keep = (confidence >= self.threshold).float()", "keep = torch.ones_like(confidence)", ('09_adapt', 'tests/test_selection_and_scores.py'),
      'self-training learns from every pseudo-label, however unsure'),
    M('dev-no-control-variate', '09b_selection', "return float(wl.mean() + eta * w.mean() - eta)", "return float(wl.mean())", ('09b_selection', 'tests/test_selection_and_scores.py'),
      'DEV without its control variate is plain importance-weighted validation'),
    M('dev-eta-sign', '09b_selection', "eta = -np.cov(wl, w)[0, 1] / var", "eta = np.cov(wl, w)[0, 1] / var", ('09b_selection', 'tests/test_selection_and_scores.py'),
      'the control variate\'s coefficient has the wrong sign: it adds variance instead of removing it'),
    M('density-ratio-no-prior', '09b_selection', "        return p / (1 - p) * prior\n", "        return p / (1 - p)\n", ('09b_selection', 'tests/test_selection_and_scores.py'),
      'the density ratio ignores the sizes of the two samples'),
    M('snd-own-neighbour', '09b_selection', "sim = (z @ z.T).fill_diagonal_(-float('inf'))", "sim = z @ z.T", ('09b_selection',),
      'SND counts each target prediction as its own nearest neighbour'),
    M('im-no-diversity', '09b_selection', "return (_entropies(p.mean(0)) - _entropies(p).mean()).item()", "return (-_entropies(p).mean()).item()", ('09b_selection',),
      'information maximisation without its diversity term is plain confidence: it rewards predicting one class for everything'),
    M('dev-ce-unweighted', '09b_selection', "reduction='none').numpy(), e.weights)", "reduction='none').numpy(), np.ones(len(e.weights)))", ('09b_selection',),
      'DEV of the cross-entropy ignores the importance weights: the source validation loss, blind to the shift'),
    M('spread-of-soft-predictions', '09b_selection', "share = torch.bincount(e.target_logits.argmax(1), minlength=e.target_logits.shape[1]).double() / len(e.target_logits)",
      "share = e.target_logits.double().softmax(1).mean(0)", ('09b_selection',),
      'the collapse measure reads the mean soft prediction, so a model that puts every image in one class with some doubt looks spread out'),
    M('target-only-reads-dev', '09b_selection', "    if e.valid_logits is None and needs_source:\n", "    if False:\n", ('09b_selection',),
      'a source score on target-only evidence fails deep inside with a NoneType error instead of saying which evidence it needs'),
    M('judge-tie-keeps-last', '43_label_free', "i = int(np.argmax(values))", "i = len(values) - 1 - int(np.argmax(values[::-1]))", ('43_label_free',),
      'a tie at a score\'s maximum is resolved to the last candidate, not the first as max() does in tl-nb adapt'),
    M('judge-tie-by-first', '43_label_free', "float(accs.max() - accs[tied].mean())", "float(accs.max() - accs[i])", ('43_label_free',),
      'a tie is judged by its first candidate in training order, so a score that ties often is judged on the luck of that order'),
    M('chosen-score-worst', '43_label_free', "return min(summary, key=lambda r:", "return max(summary, key=lambda r:", ('43_label_free',),
      'the study crowns the score with the largest regret'),
    M('a-distance-scale', '09a_shift', "return 2 * (1 - 2 * error)", "return 2 * (1 - error)", ('09a_shift',),
      'the proxy A-distance is not 0 for indistinguishable domains'),
    M('discriminator-lenet-sized', '31_dann', "body = (network or lenet_classifier)(in_channels, n_classes).body", "body = lenet_classifier(in_channels, n_classes).body",
      ('31_dann',), "DANN and CDAN size their discriminator for the LeNet's 128 features whatever body they train: a pretrained Conv-4 stops with an error"),
    M('discriminator-sized-after-seed', '31_dann', "make = lambda **s: build(source, features, **s)",
      "make = lambda **s: build(source, body_features(fit_kwargs.get('network'), source.shape[0], len(source.classes)), **s)",
      ('31_dann',), "the throwaway network that measures the body is built after the run's seed: every DANN and CDAN run starts its discriminator elsewhere"),
    M('dann-no-reversal', '31_dann', "self.discriminator(reverse_gradient(torch.cat([fs, ft]), lam))", "self.discriminator(torch.cat([fs, ft]))",
      ('31_dann',), 'the body helps the discriminator instead of fooling it'),
    M('dsbn-joint-pass', '31_dann', "    fs, ft = model.body(xs), model.body(xt)\n", "    f = model.body(torch.cat([xs, xt])); fs, ft = f[:len(xs)], f[len(xs):]\n", ('31_dann',),
      "domain-specific BatchNorm that normalises source and target together: the mixture's statistics, which it exists to avoid"),
    M('dsbn-source-twice', '31_dann', "    fs, ft = model.body(xs), model.body(xt)\n", "    fs, ft = model.body(xs), model.body(xs)\n", ('31_dann',),
      "separate passes that feed the source twice: two calls of the right sizes, and no target at all"),
    M('dsbn-no-target-statistics', '31_dann', "DANN(features, separate=True, **s), after=adabn, **kw)", "DANN(features, separate=True, **s), **kw)", ('31_dann',),
      "dann-dsbn without re-estimating the target's statistics: the target is read at test with running averages of both domains"),
    M('dann-reversal-sign', '31_dann', "        return -ctx.lambda_ * grad, None", "        return ctx.lambda_ * grad, None", ('31_dann',),
      'the reversal layer does not reverse'),
    M('dann-schedule', '31_dann', "return 2 / (1 + math.exp(-gamma * progress)) - 1", "return 1 / (1 + math.exp(-gamma * progress))", ('31_dann',),
      'λ starts at 0.5 instead of 0'),
    M('cdan-trains-the-conditioning', '31_dann', "        probs = logits.detach().float().softmax(1)", "        probs = logits.float().softmax(1)", ('31_dann',),
      "CDAN's class probabilities carry the reversed gradient: the label head learns to fool the discriminator with its predictions"),
    M('cdan-e-pooled-weights', '31_dann', "    return torch.cat([w[:n_source] / w[:n_source].sum(), w[n_source:] / w[n_source:].sum()]) / 2", "    return w / w.sum()",
      ('31_dann',), "CDAN+E's weights are normalised over the whole batch: the domain whose predictions are surer gets more of the domain loss"),
    M('cdan-e-uncertain-first', '31_dann', "    w = 1 + torch.exp((p * p.clamp_min(1e-12).log()).sum(1))", "    w = 1 + torch.exp(-(p * p.clamp_min(1e-12).log()).sum(1))",
      ('31_dann',), 'entropy conditioning weighs the uncertain predictions most, the opposite of CDAN+E'),
    M('cdan-e-ignores-entropy', '31_dann', "        w = entropy_weights(probs, len(fs)) if self.entropy else", "        w = torch.full_like(per_image, 1 / len(per_image)) if self.entropy else",
      ('31_dann',), 'CDAN+E is plain CDAN: its entropy setting is ignored'),
    M('kmm-no-sum-band', '32_importance', "low, high = ns * (1 - eps), ns * (1 + eps)", "low, high = 0.0, ns * upper", ('32_importance',),
      'KMM drops its constraint that the weights average about 1'),
    M('mmd-bandwidth-squared', '09a_shift', "    d = torch.cdist(x, x)[~torch.eye(len(x), dtype=torch.bool)]\n", "    d = torch.cdist(x, x).pow(2)[~torch.eye(len(x), dtype=torch.bool)]\n",
      ('09a_shift', '32_importance'), "the kernel's bandwidth is the median squared distance, not the median distance"),
    M('simpleshot-no-normalise', '23_simpleshot', "        return z if self.norm == 'none' else F.normalize(z, dim=1)", "        return z",
      ('23_simpleshot',), 'SimpleShot compares raw features: the plain nearest prototype under another name'),
    M('simpleshot-cl2n-uncentred', '23_simpleshot', "        if self.norm == 'CL2N': z = z - self.center.to(z)", "        if self.norm == 'CL2N': z = z",
      ('23_simpleshot',), "CL2N forgets to centre on the base classes' mean: it is L2N"),
    M('simpleshot-on-the-old-body', '23_simpleshot', "                       weights=dict(PRETRAINED['conv4-128-glyphs'], kind='body'))\ndef _simpleshot():",
      "                       weights=dict(PRETRAINED['conv4-glyphs'], kind='body'))\ndef _simpleshot():", ('23_simpleshot',),
      'the registered SimpleShot runs on another network than the one its validation chose'),
    M('transductive-on-another-body', '24_transductive', "                       weights=dict(PRETRAINED['conv4-128-glyphs'], kind='body'))\ndef _transductive():",
      "                       weights=dict(PRETRAINED['conv4-glyphs'], kind='body'))\ndef _transductive():", ('24_transductive',),
      "the transductive learner reads another network's features than SimpleShot's: its gain mixes two networks"),
    M('wide-conv4-is-narrow', '02_models', "'conv4-128': lambda in_channels=1: Conv4(in_channels, hidden=128)", "'conv4-128': lambda in_channels=1: Conv4(in_channels, hidden=64)",
      ('02_models',), 'the 128-channel architecture is built with 64 channels: its shipped weights do not fit'),
    M('soft-kmeans-forgets-support', '24_transductive', "        protos = (sums + share.T @ query) / (n + share.sum(0)[:, None])",
      "        protos = (share.T @ query) / share.sum(0)[:, None]", ('24_transductive',),
      'the refined prototypes forget the labelled support images: plain k-means on the queries, started from the support means'),
    M('soft-kmeans-shares-by-class', '24_transductive', "        share = torch.softmax(prototype_logits(query, protos) / temperature, dim=1)",
      "        share = torch.softmax(prototype_logits(query, protos) / temperature, dim=0)", ('24_transductive',),
      'each class is shared among the queries instead of each query among the classes'),
    M('transductive-unnormalised', '24_transductive', "        z, n = F.normalize(z, dim=1), len(ep.support)", "        z, n = z, len(ep.support)",
      ('24_transductive',), "the transductive learner skips SimpleShot's L2 normalisation: feature lengths steer the shares"),
    M('mcc-trains-the-weights', '34_mcc', "    w = (1 + torch.exp(-entropy)).detach()", "    w = (1 + torch.exp(-entropy))",
      ('34_mcc',), "MCC's entropy weights carry a gradient: the loss then also trains the images' confidence"),
    M('mcc-keeps-the-diagonal', '34_mcc', "    return (confusion.sum() - confusion.trace()) / K", "    return confusion.sum() / K",
      ('34_mcc',), 'the confusion loss counts the agreement of a class with itself: a constant, no signal'),
    M('mcc-rows-unnormalised', '34_mcc', "    confusion = confusion / confusion.sum(0, keepdim=True)", "    confusion = confusion / confusion.sum()",
      ('34_mcc',), 'the confusion matrix is normalised as a whole, not per class: frequent classes dominate'),
    M('fixmatch-pseudo-from-strong', '35_fixmatch', "        confidence, pseudo = logits[n:n + m].detach().float().softmax(1).max(1)",
      "        confidence, pseudo = logits[n + m:].detach().float().softmax(1).max(1)", ('35_fixmatch',),
      'FixMatch labels the strong view with its own prediction: the consistency term asks nothing of it'),
    M('fixmatch-keeps-all', '35_fixmatch', "        keep = (confidence >= self.threshold).float()", "        keep = torch.ones_like(confidence)",
      ('35_fixmatch',), 'FixMatch learns from every pseudo-label, however unsure'),
    M('fixmatch-mean-over-kept', '35_fixmatch', "        consistency = (F.cross_entropy(logits[n + m:], pseudo, reduction='none') * keep).mean()",
      "        consistency = (F.cross_entropy(logits[n + m:], pseudo, reduction='none') * keep).sum() / keep.sum().clamp_min(1)",
      ('35_fixmatch',), 'the consistency term is averaged over the kept images only: its weight no longer grows with the confident share'),
    M('strong-augment-never-inverts', '35_fixmatch', "    x = torch.where(rand(B, 1, 1, 1) < 0.5, 1 - x, x)", "    x = torch.where(rand(B, 1, 1, 1) < 0.0, 1 - x, x)",
      ('35_fixmatch',), 'the strong view never inverts an image: the polarity of the target is never varied'),
    M('fixmatch-views-apart', '35_fixmatch', "        logits = model(torch.cat([self.weak(xs), self.weak(xt), self.strong(xt)]))",
      "        logits = torch.cat([model(self.weak(xs)), model(self.weak(xt)), model(self.strong(xt))])", ('35_fixmatch',),
      "FixMatch's three views go through the network apart: BatchNorm normalises each by its own statistics, not one batch's"),
    M('affine-degrees-not-radians', '35_fixmatch', "    return u(n) * math.radians(degrees), 1 + u(n) * scale, u(n, 2) * 2 * shift",
      "    return u(n) * degrees, 1 + u(n) * scale, u(n, 2) * 2 * shift", ('35_fixmatch',),
      'the rotation is drawn in degrees but read as radians: up to 20 radians, any angle at all'),
    M('shot-head-trains', '36_shot', "    for p in model.head.parameters(): p.requires_grad_(False)\n    g = torch.Generator().manual_seed(seed)\n"
      "    dl = DataLoader(Unlabelled(target), batch, sampler=RandomSampler(target, num_samples=steps * batch, generator=g), drop_last=True)\n"
      "    opt = torch.optim.SGD(model.body.parameters(),",
      "    g = torch.Generator().manual_seed(seed)\n"
      "    dl = DataLoader(Unlabelled(target), batch, sampler=RandomSampler(target, num_samples=steps * batch, generator=g), drop_last=True)\n"
      "    opt = torch.optim.SGD(model.parameters(),", ('36_shot',),
      "SHOT's head trains with the body: the source hypothesis moves wherever confident, diverse predictions are cheapest"),
    M('shot-no-diversity', '36_shot', "    return -(p * p.clamp_min(1e-12).log()).sum(1).mean() + (mean * mean.clamp_min(1e-12).log()).sum()",
      "    return -(p * p.clamp_min(1e-12).log()).sum(1).mean()", ('36_shot',),
      'information maximisation without its diversity term: plain entropy minimisation, which every image sent to one class satisfies'),
    M('shot-unweighted-centroids', '36_shot', "    c = F.normalize(p.T @ f / p.sum(0).clamp_min(1e-12)[:, None], dim=1)",
      "    c = F.normalize(torch.ones_like(p).T @ f / len(f), dim=1)", ('36_shot',),
      "the first centroids ignore the predictions: every class starts at the same place"),
    M('shot-beta-ignored', '36_shot', "        return {'loss': im + self.beta * pseudo, 'im': im, 'pseudo': pseudo}",
      "        return {'loss': im + pseudo, 'im': im, 'pseudo': pseudo}", ('36_shot',), "the pseudo-label weight beta is ignored"),
    M('kliep-unnormalised', '32_importance', "log_b = torch.logsumexp(_log_kernel(xs, centers, bandwidth), 0) - math.log(len(xs))",
      "log_b = torch.logsumexp(_log_kernel(xs, centers, bandwidth), 0)", ('32_importance', 'tests/test_selection_and_scores.py'),
      'KLIEP\'s weights no longer average 1 over the source'),
    M('ess-no-square', '32_importance', "return float(w.sum() ** 2 / (w ** 2).sum())", "return float(w.sum() / (w ** 2).sum())", ('32_importance',),
      'the effective sample size is not n for equal weights'),
    M('pixelda-gen-trains-disc', '33_pixelda', "frozen = {name: p.detach() for name, p in self.discriminator.named_parameters()}",
      "frozen = dict(self.discriminator.named_parameters())", ('33_pixelda',),
      'the generator\'s loss also trains the discriminator, toward calling fakes real'),
    # the advisor
    M('advisor-calls-small-gain-a-loss', '42_advise', "frozen features do not clear the bar of {_BAR} ({_loo(s)})", "frozen features do not beat pixels ({_loo(s)})",
      ('tests/test_advise.py',), 'features 5 points ahead of pixels but within two standard errors are said not to beat pixels'),
    M('advisor-no-gain-margin', '42_advise', "MIN_GAIN = 0.02 ", "MIN_GAIN = 0.0 ", ('42_advise', 'tests/test_advise.py'),
      'any positive feature gain, however small, counts as transfer'),
    M('advisor-shift-threshold', '42_advise', "SHIFT_A_DISTANCE = 1.0 ", "SHIFT_A_DISTANCE = 1.5 ", ('42_advise', 'tests/test_advise.py'),
      'a clear domain shift (a classifier right on 75-87% of images) goes unreported'),
    # the command line's guards: a resume that is another run, a target that is the source
    M('resume-ignores-run-settings', '90_cli', "        if resume: _check_resumable(ckpt_dir, settings)\n", "        if resume and not (ckpt_dir / 'last.pt').is_file(): raise ValueError('holds no last.pt')\n",
      ('tests/test_bad_input.py',), "a --resume with another seed continues the old run's state on a new split: test images may have been trained on"),
    M('fresh-run-keeps-old-state', '90_cli', "    for name in ('last.pt', 'best.pt'): (ckpt / name).unlink(missing_ok=True)\n", "",
      ('tests/test_cli.py',), "a fresh run killed before its first epoch leaves the older run's state, which a --resume then continues under the new settings"),
    M('adapt-accepts-nested-target', '90_cli', "    if s in t.parents or t in s.parents:", "    if False:",
      ('tests/test_bad_input.py',), "a target folder inside the source reads source images as unlabelled target images"),
    M('sound-gets-the-ink-rule', '90_cli', "    ink = not is_sound(data)", "    ink = True", ('90_cli',),
      "spectrograms go through the Glyphs backbone's ink rule: a clip loud along its edges (a low hum) is turned over, loud as quiet"),
    M('predict-draws-sound-as-images', '90_cli', "    files = _wav_files(paths) if sound else image_files(paths)", "    files = image_files(paths)", ('tests/test_cli.py',),
      'a model trained on sound is asked about images, or finds no files at all in a folder of clips'),
    M('auto-chooses-by-dev', '90_cli', "        key = AUTO_SCORE\n", "        key = 'estimate'\n", ('90_cli',),
      "tl-nb adapt --method auto chooses between methods by DEV, which saturates on an easy source, not by the score chapter 43 chose"),
    M('collapse-warning-never', '90_cli', "r['predicted_classes'] < max(r['classes'] / 2, 1.5):", "r['predicted_classes'] < 1:", ('90_cli',),
      "tl-nb adapt stays silent when the chosen model puts every target image in one class"),
    M('simpleshot-command-zero-shots', '90_cli', "        if k < 2: return too_few(2, \"to measure SimpleShot", "        if k < 1: return too_few(2, \"to measure SimpleShot", ('90_cli',),
      "with one image a class tl-nb advise prints a fewshot command with --shots 0, which fails, instead of saying why there is none"),
    M('compare-simpleshot-unnormalised', '90_cli', "        return F.normalize(extract_features(body[0], ds)[0], dim=1).numpy()", "        return extract_features(body[0], ds)[0].numpy()",
      ('tests/test_compare_rows.py', '90_cli'), "compare's SimpleShot row is the plain nearest class mean: its features are not L2-normalised"),
    # sound as an image
    M('mel-no-area-norm', '01a_audio', "bank = torch.clamp(torch.minimum(rising, falling), min=0) * 2 / (upper - lower)",
      "bank = torch.clamp(torch.minimum(rising, falling), min=0)", ('01a_audio', 'tests/test_audio.py'),
      'filters of unit height, not unit area: the wide high-frequency bands outweigh the narrow low ones'),
    M('mel-log10', '01a_audio', "15 + 27 * torch.log(f.clamp(min=1e-10) / 1000) / math.log(6.4)", "15 + 27 * torch.log10(f.clamp(min=1e-10) / 1000) / math.log(6.4)",
      ('01a_audio', 'tests/test_audio.py'), 'the mel scale above 1 kHz compressed by a wrong logarithm'),
    M('stft-magnitude-not-power', '01a_audio', "window=window, center=True, pad_mode='constant', return_complex=True).abs() ** 2",
      "window=window, center=True, pad_mode='constant', return_complex=True).abs()", ('01a_audio', 'tests/test_audio.py'),
      'magnitudes summed where energies are due: every decibel value halved'),
    M('spectrogram-upside-down', '01a_audio', ".to(torch.uint8).flip(0)[None]", ".to(torch.uint8)[None]", ('01a_audio',),
      'low frequencies at the top of the image'),
    M('wav-uint8-offset-forgotten', '01a_audio', "(half if np.issubdtype(x.dtype, np.unsignedinteger) else 0.0)", "0.0", ('01a_audio',),
      '8-bit files read without their offset: silence becomes a constant +1'),
    M('centre-off-by-half', '01a_audio', "    start = mid - n // 2\n", "    start = mid - n\n", ('01a_audio',),
      'the kept second ends at the sound\'s middle instead of centring on it'),
    # sound and spelling (contrastive learning)
    M('clip-loss-one-way', '14_contrastive', "return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2",
      "return F.cross_entropy(logits, target)", ('14_contrastive',), 'only clips choose among words; words never choose among clips'),
    M('spelling-padding-leaks', '14_contrastive', "for conv in self.convs: h = F.relu(conv(h)) * letters", "for conv in self.convs: h = F.relu(conv(h))",
      ('14_contrastive',), 'a word\'s vector depends on how far the batch pads it'),
    M('batches-repeat-words', '14_contrastive', "classes = torch.randperm(len(self.by_class), generator=self.generator)[:self.batch_size]",
      "classes = torch.randint(len(self.by_class), (self.batch_size,), generator=self.generator)", ('14_contrastive',),
      'a batch may hold two clips of one word, each a false negative for the other'),
    M('test-words-in-training', '14_contrastive', "rest = [w for w in range(len(self.train_voices.classes)) if w not in set(self.test_words)]",
      "rest = list(range(len(self.train_voices.classes)))", ('14_contrastive',), 'the held-out words are trained on: the zero-shot claim is void'),
    M('examples-asked-about', '14_contrastive', "        keep[self.support_rows([self.train_voices.classes[w] for w in words], seed)] = False\n", "",
      ('14_contrastive',), "a word's example is also asked about: one-example rows are chosen on clips they have already seen"),
    M('one-example-asks-the-example', '14_contrastive', "    asked[examples] = False\n", "",
      ('14_contrastive',), 'validation classifies each example by itself: one-example accuracy is inflated'),
    M('support-from-any-word', '14_contrastive', "idx = torch.nonzero(self.train_voices.labels == self.train_voices.classes.index(w))[:, 0]",
      "idx = torch.arange(len(self.train_voices))", ('14_contrastive',), "a word's example is a clip of any word"),
    # schedules and registries
    M('registry-never-imports', '00a_registry', "        if name not in self._entries and name in self.declared(): importlib.import_module(self.declared()[name])\n", "",
      ('00a_registry', '31_dann'), "a method declared in a chapter's module is listed but unknown until someone imports that module"),
    M('registry-order-by-file', '00a_registry', "found += [(chapter.group(1) if chapter else path.name, i, name,", "found += [(path.name, i, name,",
      ('00a_registry',), "methods listed in the order of their file names, not the book's"),
]


def _cells(nb: dict) -> list:
    return [c for c in nb['cells'] if c['cell_type'] == 'code']


def _source(cell) -> str:
    return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def apply(mutant: Mutant, root: Path) -> None:
    "Edit the notebook under `root` in place; raise if the code to replace is not found exactly once."
    import json
    path = root / 'nbs' / f'{mutant.notebook}.ipynb'
    nb = json.loads(path.read_text())
    hits = [c for c in _cells(nb) if mutant.old in _source(c)]
    count = sum(_source(c).count(mutant.old) for c in hits)
    if count != 1: raise LookupError(f"{mutant.name}: the code to mutate appears {count} times in {path.name} (expected once): update the mutant.")
    if not any(line.strip() in ('#| export', '#| exports') for line in _source(hits[0]).splitlines()):
        raise LookupError(f"{mutant.name}: the code to mutate is in a cell of {path.name} that is not exported: a mutant changes the library, not a test.")
    hits[0]['source'] = _source(hits[0]).replace(mutant.old, mutant.new)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')


def _package_text(root: Path) -> str:
    return '\n'.join(p.read_text() for p in (root / 'tl_nb').glob('*.py'))


def _copy(dest: Path) -> Path:
    skip = shutil.ignore_patterns('.git', '.venv', '_docs', '_proc', '__pycache__', '*.egg-info', '.pytest_cache', 'runs')
    shutil.copytree(ROOT, dest, ignore=skip, symlinks=True)
    return dest


def run(mutant: Mutant, timeout: int = 1800) -> tuple:
    "`(verdict, seconds, detail)`: 'killed', 'survived' or 'error'."
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f'mutant-{mutant.name}-') as tmp:
        root = _copy(Path(tmp) / 'repo')
        try:
            if mutant.old != mutant.new: apply(mutant, root)      # the control changes nothing
        except LookupError as e: return 'error', time.perf_counter() - t0, str(e)
        env = {**os.environ, 'PYTHONPATH': str(root), 'IN_TEST': '1'}
        bin_dir = Path(sys.executable).parent
        export_env = {k: v for k, v in env.items() if k != 'IN_TEST'}          # nbdev-export does nothing when IN_TEST is set
        export = subprocess.run([str(bin_dir / 'nbdev-export')], cwd=root, env=export_env, capture_output=True, text=True)
        if export.returncode: return 'error', time.perf_counter() - t0, 'nbdev-export failed: ' + export.stderr[-500:]
        if mutant.old != mutant.new:
            if _package_text(root) == _package_text(ROOT): return 'error', time.perf_counter() - t0, 'the mutation did not reach the exported package'
            module = subprocess.run([sys.executable, '-c', 'import importlib, pkgutil, tl_nb; [importlib.import_module("tl_nb." + m.name) for m in pkgutil.iter_modules(tl_nb.__path__)]'],
                                    cwd=root, env=env, capture_output=True, text=True)
            if module.returncode: return 'error', time.perf_counter() - t0, 'the mutated package does not import: ' + module.stderr.strip().splitlines()[-1][:200]
        selected = [f"tests/test_notebooks.py::test_notebook[{t}]" for t in mutant.tests if not t.startswith('tests/')]
        selected += [t for t in mutant.tests if t.startswith('tests/')]
        cmd = [sys.executable, '-m', 'pytest', '-x', '-q', '-p', 'no:cacheprovider', '-o', 'addopts=', *selected]
        try: out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired: return 'error', time.perf_counter() - t0, f'tests ran past {timeout} s'
        seconds = time.perf_counter() - t0
        if out.returncode == 0: return 'survived', seconds, out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ''
        if out.returncode == 1:
            failed = [line for line in out.stdout.splitlines() if line.startswith('FAILED')]
            broken = [e for e in ('NameError', 'SyntaxError', 'IndentationError', 'CellTimeoutError', 'DeadKernelError') if e in out.stdout]
            if broken: return 'error', seconds, f"the tests failed with {broken[0]}, not on a wrong value: the mutant is broken or the run was"
            return 'killed', seconds, (failed[0] if failed else 'tests failed')[:200]
        return 'error', seconds, f'pytest exited {out.returncode}: ' + (out.stdout + out.stderr)[-500:]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('names', nargs='*', help='mutants to run (default: all)')
    p.add_argument('--list', action='store_true', help='list the mutants and exit')
    p.add_argument('--jobs', type=int, default=1, help='mutants run at once (each runs a Jupyter kernel; one per two cores is plenty)')
    p.add_argument('--no-control', action='store_true', help='skip the control run (the same tests on the unchanged copy, which must pass)')
    args = p.parse_args(argv)
    known = {m.name: m for m in MUTANTS}
    unknown = [n for n in args.names if n not in known]
    if unknown: p.error(f"unknown mutants {unknown}; see --list")
    chosen = [known[n] for n in args.names] or MUTANTS
    if args.list:
        for m in chosen: print(f"{m.name:28} {m.notebook:15} {', '.join(m.tests):40} {m.why}")
        return 0
    if not args.no_control:       # the tests must pass on an unchanged copy, or every "killed" below means nothing
        tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
        verdict, seconds, detail = run(Mutant('control', '', '', '', tests, 'no change'), timeout=600 * len(tests))
        print(f"control (no change, {len(tests)} test targets): {'passed' if verdict == 'survived' else 'FAILED'} in {seconds:.0f} s", flush=True)
        if verdict != 'survived':
            print(f"The tests fail on an unchanged copy ({detail}): fix that first.", file=sys.stderr)
            return 2
    print(f"{len(chosen)} mutants, {args.jobs} at a time", flush=True)
    verdicts = {}
    def one(m):
        v = run(m)
        print(f"{v[0]:9} {m.name:28} {v[1]:5.0f} s  {v[2]}", flush=True)
        return m, v
    with ThreadPoolExecutor(args.jobs) as pool:
        for m, v in pool.map(one, chosen): verdicts[m.name] = v
    survived = [n for n, v in verdicts.items() if v[0] == 'survived']
    errors = [n for n, v in verdicts.items() if v[0] == 'error']
    print(f"\n{len(verdicts) - len(survived) - len(errors)} killed, {len(survived)} survived{': ' + ', '.join(survived) if survived else ''}, "
          f"{len(errors)} errors{': ' + ', '.join(errors) if errors else ''}")
    return 1 if survived or errors else 0


if __name__ == '__main__':
    sys.exit(main())
