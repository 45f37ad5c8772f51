"""Maintainer step: make a newly pretrained body the weights tl_nb ships.

    python tools/ship_weights.py nbs/runs/pretrain-conv4/conv4-glyphs.pt

Copies the file over tl_nb/weights/conv4-glyphs.pt, records its SHA-256 in nbs/02_models.ipynb (the `PRETRAINED`
table) and re-exports the package. Chapters never do this: re-running the pretraining chapter only writes under runs/.
Afterwards, re-run the chapters that use the weights (tools/run_chapters.py) and commit the weights with the notebooks.
"""
import hashlib, json, re, shutil, subprocess, sys
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
    nb_path = ROOT / 'nbs' / '02_models.ipynb'
    text = nb_path.read_text()
    old = re.search(r"file='conv4-glyphs\.pt',\\n\",\s*\"\s*sha256='([0-9a-f]{64})'", text)
    if old is None: sys.exit('ship_weights: could not find the conv4-glyphs sha256 in nbs/02_models.ipynb')
    nb_path.write_text(text.replace(old.group(1), new))
    shutil.copyfile(src, ROOT / 'tl_nb' / 'weights' / 'conv4-glyphs.pt')
    subprocess.run(['nbdev-export'], cwd=ROOT, check=True)
    print(f'shipped {src} as tl_nb/weights/conv4-glyphs.pt, sha256 {new} (was {old.group(1)})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
