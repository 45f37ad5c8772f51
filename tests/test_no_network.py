"""Importing tl_nb and building its default data must not touch the network (it is the embedded, offline path)."""
import subprocess, sys, textwrap

GUARD = textwrap.dedent('''
    import socket
    def refuse(*args, **kwargs): raise RuntimeError(f'network access attempted: {args[:2]}')
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse
''')


def run_offline(code: str):
    res = subprocess.run([sys.executable, '-c', GUARD + textwrap.dedent(code)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_guard_catches_a_connection():
    res = subprocess.run([sys.executable, '-c', GUARD + 'import urllib.request; urllib.request.urlopen("http://example.com")'],
                         capture_output=True, text=True)
    assert res.returncode != 0 and 'network access attempted' in res.stderr


def test_import_and_build_every_embedded_dataset_offline(tmp_path):
    out = run_offline(f'''
        import os; os.environ['TL_NB_CACHE'] = {str(tmp_path)!r}   # empty cache: everything is built from scratch
        import tl_nb, tl_nb.core, tl_nb.data, tl_nb.models, tl_nb.glyphs, tl_nb.episodes, tl_nb.online, tl_nb.cli
        from tl_nb.data import digits, digits_m
        from tl_nb.glyphs import glyphs, syn_digits
        from tl_nb.models import pretrained
        sets = [digits('train'), digits('test'), digits_m('train'), glyphs('background'), glyphs('evaluation'),
                syn_digits('train'), syn_digits('test')]
        pretrained('conv4-glyphs')
        print(' '.join(str(len(s)) for s in sets))
    ''')
    sizes = [int(n) for n in out.split()]
    assert sizes[0] + sizes[1] == 1797 and sizes[2] == sizes[0]
    assert sizes[3] > 10_000 and sizes[4] > 4_000 and sizes[5:] == [5000, 1000]
    assert len(list(tmp_path.glob('*.pt'))) == 3       # glyphs and both SynDigits splits were cached
