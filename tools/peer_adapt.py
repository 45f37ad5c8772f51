"""tl_nb's DANN beside a peer library's (pytorch-adapt's `DANNHook`), on the same data, network, batches, optimiser and schedule.

    pip install --no-deps --target ~/tl-nb-peers pytorch-adapt==0.0.83 pytorch-metric-learning==1.6.3 torchmetrics==0.9.3 "setuptools<81"
    PYTHONPATH=~/tl-nb-peers python tools/peer_adapt.py                 # 5 seeds, 1,000 steps, max lambda 0.1 (DANN's setting in `tl-nb compare`)
    PYTHONPATH=~/tl-nb-peers python tools/peer_adapt.py --seeds 3 --steps 500 --max-lambda 1

pytorch-adapt pins an old torchmetrics, so it lives in a folder of its own rather than in tl_nb's environment.

What is shared, per seed: SynDigits -> Digits (5,000 labelled source images, the 1,078 unlabelled target images, the 719 target test
images), the same `paired_loader` batches of 32 source and 32 target images in the same order, the same LeNet and domain
discriminator (`tl_nb.dann.DomainDiscriminator`) with the same initial weights, one SGD (momentum 0.9, weight decay 5e-4, lr 0.01)
over both with the DANN paper's annealed learning rate, and the reversal weight max_lambda x 2 / (1 + exp(-10 p)) - 1. The loss is
the same sum: source cross-entropy plus the domain cross-entropy averaged over the 64 images (pytorch-adapt's two domain losses,
each a mean over 32 images, weighted 1/2 each by a `SumWeighter`; its default `MeanWeighter` would divide the whole loss by three).

What differs is each library's design, and it is reported, not removed: tl_nb sends source and target through the network in one
BatchNorm batch; pytorch-adapt's hooks send them separately, so each domain is normalised by its own statistics in training.
A third row, tl_nb's DANN with two passes like the peer's (the control), says whether that design is the whole difference.
The script prints each library's target test accuracy (mean and 95% interval over the seeds), the paired difference, and the seconds
of training (the same steps on each side; both on one CPU thread unless --threads says otherwise).
"""
import argparse, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peer():
    "pytorch-adapt's pieces, or a clear message where it is not installed."
    try:
        from pytorch_adapt.hooks import DANNHook
        from pytorch_adapt.hooks.dann import GradientReversalHook
        from pytorch_adapt.weighters import SumWeighter
        import pytorch_adapt
    except ImportError as e:
        sys.exit(f"peer_adapt.py: pytorch-adapt is not importable ({e}); install it as this file's docstring says and put its folder on PYTHONPATH.")
    return DANNHook, GradientReversalHook, SumWeighter, pytorch_adapt.__version__


def run_tl_nb(task, seed: int, steps: int, max_lambda: float):
    "tl_nb's DANN as its chapter trains it: `fit_adaptation` with the `DANN` strategy."
    from tl_nb.adapt import fit_adaptation
    from tl_nb.core import seed_everything
    from tl_nb.dann import DANN
    seed_everything(seed)
    strategy = DANN(max_lambda=max_lambda)                     # its discriminator drawn from the seed, as the peer's below
    t0 = time.perf_counter()
    model, _ = fit_adaptation(strategy, task.source, task.target, steps=steps, epochs=1, batch_size=32, lr=0.01, seed=seed, device='cpu', progress=False)
    return model, time.perf_counter() - t0


def run_tl_nb_separate(task, seed: int, steps: int, max_lambda: float):
    """The control that locates the difference: tl_nb's DANN with source and target sent through the network in two passes, as
    pytorch-adapt's hooks send them (each domain normalised by its own batch statistics in training); everything else as `run_tl_nb`."""
    import tl_nb.dann as dann
    def separate(model, batch):
        (xs, ys), (xt, _) = batch
        fs, ft = model.body(xs), model.body(xt)
        return fs, ys, ft, model.head(fs)
    joint, dann.source_target_features = dann.source_target_features, separate     # DANN.loss looks the helper up in its module
    try: return run_tl_nb(task, seed, steps, max_lambda)
    finally: dann.source_target_features = joint


def run_peer(task, seed: int, steps: int, max_lambda: float):
    "The same training driven by pytorch-adapt's `DANNHook`, the loop written here (the peer has no loop of its own to call)."
    import torch
    from torch import nn
    from tl_nb.adapt import annealed_lr, lenet_classifier, paired_loader
    from tl_nb.core import seed_everything
    from tl_nb.dann import DomainDiscriminator, dann_lambda
    DANNHook, GradientReversalHook, SumWeighter, _ = peer()
    seed_everything(seed)
    disc = DomainDiscriminator(128)
    seed_everything(seed)
    model = lenet_classifier(task.source.shape[0], len(task.source.classes))
    D = nn.Sequential(disc, nn.Flatten(0))                     # pytorch-adapt wants one logit per image, shape [N]
    opt = torch.optim.SGD([*model.parameters(), *disc.parameters()], lr=0.01, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, annealed_lr(steps))
    grl = GradientReversalHook(weight=0.0, apply_to=['src_imgs_features', 'target_imgs_features'])
    hook = DANNHook(opts=[opt], gradient_reversal=grl,
                    weighter=SumWeighter(weights={'src_domain_loss': 0.5, 'target_domain_loss': 0.5}))
    model.train(); D.train()
    t0 = time.perf_counter()
    for step, ((xs, ys), (xt, _)) in enumerate(paired_loader(task.source, task.target, 32, steps, seed)):
        grl.fn.update_weight(max_lambda * dann_lambda(step / steps))
        hook({'G': model.body, 'C': model.head, 'D': D, 'src_imgs': xs.contiguous(memory_format=torch.channels_last), 'src_labels': ys,
              'target_imgs': xt.contiguous(memory_format=torch.channels_last),
              'src_domain': torch.zeros(len(xs)), 'target_domain': torch.ones(len(xt))})
        sched.step()
    return model.eval(), time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--max-lambda', type=float, default=0.1)
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args(argv)
    *_, version = peer()
    import torch
    torch.set_num_threads(args.threads)
    from tl_nb.adapt import syn_to_digits
    from tl_nb.protocol import accuracy, model_predictor, paired_difference, t_interval
    task = syn_to_digits()
    rows = {'tl_nb': ([], []), f'pytorch-adapt {version}': ([], []), 'tl_nb, source and target in separate passes (control)': ([], [])}
    for seed in range(args.seeds):
        for (name, (accs, secs)), train in zip(rows.items(), (run_tl_nb, run_peer, run_tl_nb_separate)):
            model, sec = train(task, seed, args.steps, args.max_lambda)
            accs.append(accuracy(model_predictor(model), task.target_test)); secs.append(sec)
            print(f"seed {seed}: {name:24s} {100 * accs[-1]:5.1f}%  {sec:5.1f} s", file=sys.stderr, flush=True)
    (a, sa), (b, sb), (c, _) = rows.values()
    print(f"\nDANN, {task.name}: {args.steps} steps of 32 + 32 images, max lambda {args.max_lambda:g}, {args.seeds} seeds, {args.threads} thread(s)\n")
    print('| library | target test accuracy (%) | seconds per run |\n|---|---|---|')
    for name, (accs, secs) in rows.items():
        print(f"| {name} | {t_interval(accs)} | {sum(secs) / len(secs):.1f} |")
    print(f"\ntl_nb minus the peer (paired): {paired_difference(a, b).format(sign=True)} points; "
          f"seconds, peer / tl_nb: {sum(sb) / sum(sa):.2f}; the control minus the peer (paired): {paired_difference(c, b).format(sign=True)} points")


if __name__ == '__main__':
    main()
