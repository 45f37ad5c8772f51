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


def test_import_and_default_data_offline():
    out = run_offline('''
        import tl_nb, tl_nb.core, tl_nb.data, tl_nb.models, tl_nb.cli
        from tl_nb.data import digits
        print(len(digits('train')) + len(digits('test')))
    ''')
    assert out.strip() == '1797'
