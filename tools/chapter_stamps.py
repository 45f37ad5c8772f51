"""Stamps that tie a chapter's saved outputs to the code that made them.

`tools/run_chapters.py` writes, into each notebook it runs top to bottom, a hash of the notebook's own code cells and a hash of
every `tl_nb` module the chapter uses (its imports, followed through the package). `tests/test_stamps.py` then fails when a
chapter's code changed after its outputs were saved, and names the chapters whose modules changed since (to re-run).

    python tools/chapter_stamps.py            # list stale chapters: code changed (must re-run), modules changed (should re-run)
"""
import ast, hashlib, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = 'tl_nb'            # the notebook metadata key (kept by nbdev-clean: `allowed_metadata_keys` in pyproject.toml)
IMPORT = re.compile(r'^\s*(?:from\s+(?:tl_nb\.|\.)(\w+)\s+import|from\s+tl_nb\s+import\s+([\w, ()]+)|import\s+tl_nb\.(\w+))', re.M)


def _sha(text: str) -> str: return hashlib.sha256(text.encode()).hexdigest()[:16]


def code_cells(nb: dict) -> list:
    """The sources of the code cells whose saved outputs are measurements: every code cell but `#| eval: false` (never run),
    `#| gpu` cells (without a GPU their saved output is the line saying they were skipped; the tests run their code in smoke
    mode, `tl_nb.core.smoke_mode`) and the Colab install cell (`tools/colab.py`: it does nothing outside Colab)."""
    from colab import is_install_cell
    out = []
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if re.search(r'^#\|\s*eval:\s*false\s*$', src, re.M) or re.search(r'^#\|\s*gpu\s*$', src, re.M) or is_install_cell(src): continue
        out.append(src.strip())
    return out


def code_hash(nb: dict) -> str:
    "One hash of the chapter's code cells, in order."
    return _sha('\n\x00\n'.join(code_cells(nb)))


def _imports(text: str) -> set:
    names = set()
    for a, b, c in IMPORT.findall(text):
        if a or c: names.add(a or c)
        else: names.update(n.strip() for n in b.replace('(', ' ').replace(')', ' ').split(',') if n.strip())
    return names


# modules that look methods up by name in the registries (the `tl-nb` commands, `--method auto`'s candidates): they run whichever module
# registers a name without importing it, so a chapter that uses them depends on every module that registers a method
BY_NAME = {'cli': ('adaptation', 'meta_learner', 'strategy'), 'label_free': ('adaptation',)}   # the module: the families it looks up


def _registers(family: str) -> re.Pattern:
    "A registration of `family` in a module's source, as `tl_nb.registry.Registry.declared` finds it: the decorator or call, then a name."
    return re.compile(rf"^[ \t]*@?register_{family}\(\s*['\"]", re.M)


def modules_used(nb: dict) -> list:
    "The `tl_nb` modules a chapter uses: its own export, its imports, and theirs, followed through the package (and through the registries, for `BY_NAME`)."
    pkg = ROOT / 'tl_nb'
    todo = _imports('\n'.join(code_cells(nb)))
    own = re.search(r'^#\|\s*default_exp\s+(\w+)', '\n'.join(code_cells(nb)), re.M)
    if own: todo.add(own.group(1))
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen or not (pkg / f'{name}.py').exists(): continue
        seen.add(name)
        text = (pkg / f'{name}.py').read_text()
        todo |= _imports(text)
        for family in BY_NAME.get(name, ()): todo |= {p.stem for p in pkg.glob('*.py') if _registers(family).search(p.read_text())}
    return sorted(seen)


def code_only(text: str) -> str:
    """A module's code without its docstrings and comments (and nbdev's `# %%` cell markers): what a chapter's numbers
    depend on. A reworded docstring or a renumbered cell leaves the hash alone, so it sends no chapter to be re-run."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, 'body', None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def module_hashes(names) -> dict:
    return {n: _sha(code_only((ROOT / 'tl_nb' / f'{n}.py').read_text())) for n in names}


def stamp(path: Path):
    "Record, in the notebook at `path`, the hashes of its code and of the modules it uses: call right after running it top to bottom."
    nb = json.loads(path.read_text())
    nb['metadata'][KEY] = {'code': code_hash(nb), 'modules': module_hashes(modules_used(nb))}
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')


def staleness(path: Path) -> tuple:
    "`(code changed, [modules changed])` since the chapter was last run top to bottom; code changed is True when it never was."
    nb = json.loads(path.read_text())
    s = nb.get('metadata', {}).get(KEY)
    if not s: return True, []
    now = module_hashes(modules_used(nb))
    return s['code'] != code_hash(nb), sorted(m for m, h in now.items() if s['modules'].get(m) != h)


def chapters() -> list:
    return sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))


if __name__ == '__main__':
    code, mods = [], []
    for p in chapters():
        changed, modules = staleness(p)
        if changed: code.append(p.name)
        elif modules: mods.append(f"{p.name} ({', '.join(modules)})")
    print('code changed since the saved outputs (re-run: python tools/run_chapters.py NOTEBOOK):', ', '.join(code) or 'none')
    print('tl_nb modules changed since (re-run to refresh the numbers):', ', '.join(mods) or 'none')
    sys.exit(1 if code else 0)
