"""Maintainer step: make newly trained weights the file tl_nb ships.

    python tools/ship_weights.py nbs/runs/pretrain-conv4/conv4-glyphs.pt            # the pretrained backbone
    python tools/ship_weights.py nbs/runs/protonet/conv4-protonet-glyphs.pt         # a meta-trained model

Copies the file over tl_nb/weights/<its name>, records its SHA-256 in the notebook whose table names that file
(`PRETRAINED` in nbs/02_models.ipynb, or the `register_meta_learner` call of the chapter whose learner it is) and re-exports the package. Chapters never
do this: re-running a training chapter only writes under runs/. Afterwards, re-run the chapters that use the weights
(tools/run_chapters.py) and commit the weights with the notebooks.
"""
import hashlib, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1: sys.exit(__doc__)
    src = Path(argv[0])
    if not src.is_file(): sys.exit(f'ship_weights: no file {src}')
    import torch
    state = torch.load(src, map_location='cpu', weights_only=True)    # refuse anything but tensors and plain containers
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        sys.exit(f'ship_weights: {src} is not a state dict of tensors')
    new = hashlib.sha256(src.read_bytes()).hexdigest()
    pattern = re.compile(r"file='" + re.escape(src.name) + r"',\\n\",\s*\"\s*sha256='([0-9a-f]{64})'")
    found = [(p, m) for p in sorted((ROOT / 'nbs').glob('*.ipynb')) if (m := pattern.search(p.read_text()))]
    if len(found) != 1: sys.exit(f"ship_weights: expected one notebook with file='{src.name}' and its sha256, found {len(found)}")
    nb_path, old = found[0]
    text = nb_path.read_text()
    nb_path.write_text(text[:old.start(1)] + new + text[old.end(1):])
    shutil.copyfile(src, ROOT / 'tl_nb' / 'weights' / src.name)
    beside = Path(sys.executable).with_name('nbdev-export')       # the venv's, even when it is not on PATH
    subprocess.run([str(beside) if beside.exists() else 'nbdev-export'], cwd=ROOT, check=True)
    print(f'shipped {src} as tl_nb/weights/{src.name}, sha256 {new} (was {old.group(1)}) in {nb_path.name}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
