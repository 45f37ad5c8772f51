"""Build the spoken-word datasets tl_nb ships, in `tl_nb/datasets/`, with Debian's espeak-ng.

`spoken_words.npz`: twenty words, the ten digits and ten commands (the 20 core words of Google's Speech Commands), each
spoken by espeak-ng in many voices: 8 English accents, and 8 other languages' voices reading the same English text with
their own spelling rules (a strong shift for the domain-adaptation chapters: the Spanish voice spells "two" out letter by
letter, the Dutch one says "nine-uh"), each clip with a voice variant (100 of them, a quarter held out for testing), a
speaking rate and a pitch drawn at random from a fixed seed.

`spoken_vocabulary.npz`: 217 concrete words, 12 clips each (8 from training voices, 4 from test voices, in random English
accents), for learning sound and spelling together; a model trained on four fifths of the words can be asked to recognise
the others from their spelling alone.

Every clip is stored as `tl_nb.audio.spectrogram_image` makes it from the synthesised .wav file: a 32×32 uint8 log-mel image
(1 KB). A build with the same espeak-ng (1.51 here), numpy, scipy, torch and zlib writes the files byte for byte the same (the
zip members carry no time stamp), so the SHA-256 recorded in tl_nb.audio checks the build as well as the download; `--check`
compares pixels, which holds across library versions.

    apt-get install espeak-ng
    python tools/make_speech.py                  # build spoken_words.npz (a few minutes) and print its SHA-256 for tl_nb/audio.py
    python tools/make_speech.py --vocabulary     # build spoken_vocabulary.npz
    python tools/make_speech.py --check [--vocabulary]    # re-synthesise a sample of the shipped clips, compare pixel for pixel

espeak-ng is GPL-3.0-or-later; the sounds it synthesises are data made by running it, not a copy of it, and the
spectrograms are released under tl_nb's licence (Apache-2.0).
"""
import argparse, re, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / 'tl_nb' / 'datasets' / 'spoken_words.npz'
WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
         'yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go')
ENGLISH = ('en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-rp', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc')
FOREIGN = ('de', 'fr-fr', 'es', 'it', 'pl', 'nl', 'pt', 'sv')      # other languages' voices reading the same English words
VARIANTS = ('Alex Alicia Andrea Andy Annie AnxiousAndy Demonic Denis Diogo Gene Gene2 Henrique Hugo Jacky Lee Marco Mario '
            'Michael Mike Nguyen RicishayMax RicishayMax2 RicishayMax3 Storm Tweaky UniRobot adam anika anikaRobot '
            'announcer antonio aunty belinda benjamin boris caleb croak david ed edward edward2 f1 f2 f3 f4 f5 fast grandma '
            'grandpa gustave iven iven2 iven3 iven4 john kaukovalta klatt klatt2 klatt3 klatt4 klatt5 klatt6 linda m1 m2 m3 m4 '
            'm5 m6 m7 m8 marcelo max michel miguel norbert pablo paul pedro quincy rob robert robosoft robosoft2 robosoft3 '
            'robosoft4 robosoft5 robosoft6 robosoft7 robosoft8 sandro shelby steph steph2 steph3 travis victor whisper whisperf zac').split()
TEST_VARIANTS = set(VARIANTS[3::4])          # voices the training split never hears
CLIPS = {'english': (12, 4), 'foreign': (6, 4)}   # per word and accent: (train, test) clips
RATE, PITCH = (120, 220), (20, 80)           # words per minute, espeak's pitch (0-99)
SEED, SIZE = 0, 32
# a second file, for cross-modal (sound and spelling) learning: many words, fewer clips each; every fifth word is held out from
# training, so that a model can be asked to recognise words it has only read
VOCAB_OUT = OUT.with_name('spoken_vocabulary.npz')
VOCABULARY = tuple("""animal apple arrow baby basket battle beach bicycle bottle bridge brother bucket butter button camera candle carpet castle
chicken circle coffee cotton dinner doctor dragon engine finger forest garden giant glass guitar hammer helmet hunter island jacket
kitchen ladder lemon letter lion market metal mirror monkey mother needle ocean orange paper parrot pencil pepper pillow planet pocket
potato rabbit river rocket saddle salad silver sister spider spoon summer table ticket tiger tomato tower turtle valley violin wagon
window winter wizard zebra bread chair cloud dream earth fish frog ghost grass horse house juice king lamp leaf milk moon mouse queen
salt sheep ship shoe smoke snake snow star stone sugar sword thumb train tree truck wheel wolf heart hand head bird boat book cake
coat corn cup desk dog door drum duck egg farm flag fork fox gold hat hill ink kite lake map nest owl pig pin pot rope sand sock soup
tent toy van web bank barn bean belt blanket branch brick brush cabin canal chalk cheese cherry chimney clock cloth crown diamond dolphin
eagle feather fence garlic ginger glove hammock honey insect jungle kettle kidney lantern lizard magnet meadow melon muffin napkin
oyster paddle panda peanut pickle pirate pumpkin puzzle robot scissors shadow shovel sponge squirrel statue tractor trumpet tunnel
umbrella vulture walnut whistle""".split())     # concrete words; the commonest homophones are left out ('flower', 'night', 'rain'), a few rarer ones remain (horse, bread, heart)
VOCAB_CLIPS = (8, 4)                         # per word: (train voices, test voices), each in a random English accent


def plan() -> list[dict]:
    "Every clip to synthesise, in a fixed order from a fixed seed."
    rng, out = np.random.default_rng(SEED), []
    train_v, test_v = [v for v in VARIANTS if v not in TEST_VARIANTS], sorted(TEST_VARIANTS)
    for domain, accents in (('english', ENGLISH), ('foreign', FOREIGN)):
        for a, accent in enumerate(accents):
            for w, word in enumerate(WORDS):
                for split, n, pool in (('train', CLIPS[domain][0], train_v), ('test', CLIPS[domain][1], test_v)):
                    for v in rng.choice(len(pool), n, replace=False):
                        out.append(dict(word=w, domain=domain, accent=accent, split=split, variant=pool[v],
                                        rate=int(rng.integers(*RATE, endpoint=True)), pitch=int(rng.integers(*PITCH, endpoint=True))))
    return out


def plan_vocabulary() -> list[dict]:
    "Every clip of the vocabulary file, in a fixed order from a fixed seed (another stream than the words')."
    rng, out = np.random.default_rng(SEED + 1), []
    train_v, test_v = [v for v in VARIANTS if v not in TEST_VARIANTS], sorted(TEST_VARIANTS)
    for w, word in enumerate(VOCABULARY):
        for split, n, pool in (('train', VOCAB_CLIPS[0], train_v), ('test', VOCAB_CLIPS[1], test_v)):
            for v in rng.choice(len(pool), n, replace=False):
                out.append(dict(word=w, domain='english', accent=ENGLISH[int(rng.integers(len(ENGLISH)))], split=split, variant=pool[v],
                                rate=int(rng.integers(*RATE, endpoint=True)), pitch=int(rng.integers(*PITCH, endpoint=True))))
    return out


def synthesise(clip: dict, tmp: Path, words=WORDS):
    "The clip's spectrogram image, from the .wav file espeak-ng writes."
    import torch
    from tl_nb.audio import read_wav, spectrogram_image
    wav = tmp / 'clip.wav'
    done = subprocess.run(['espeak-ng', '-v', f"{clip['accent']}+{clip['variant']}", '-s', str(clip['rate']), '-p', str(clip['pitch']),
                           '-w', str(wav), words[clip['word']]], capture_output=True, text=True)
    if done.returncode: sys.exit(f"espeak-ng failed on {clip}: {done.stderr.strip() or done.stdout.strip()}")
    return spectrogram_image(*read_wav(wav), size=SIZE).numpy()


def check_variants():
    "Stop if this espeak-ng lacks a voice variant the plan uses: it would fall back to its plain voice without an error."
    out = subprocess.run(['espeak-ng', '--voices=variant'], capture_output=True, text=True).stdout
    known = {line.split()[4].removeprefix('!v/') for line in out.splitlines()[1:] if len(line.split()) > 4}
    if missing := sorted(set(VARIANTS) - known): sys.exit(f"this espeak-ng has no voice variant {missing[:5]}: the build would not be the shipped one")


def espeak_version() -> str:
    "espeak-ng's version, e.g. 'espeak-ng 1.51'; the build is reproducible for one version (another may pronounce differently)."
    try: out = subprocess.run(['espeak-ng', '--version'], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError): sys.exit('espeak-ng is not installed: apt-get install espeak-ng')
    return 'espeak-ng ' + (re.search(r'text-to-speech: (\S+)', out) or re.search(r'(\S+)', out)).group(1)


def save_npz(path: Path, **arrays):
    "`np.savez_compressed`, byte for byte the same for the same arrays (numpy stamps each member with the current time)."
    import io, zipfile
    tmp = path.with_suffix('.tmp')
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, a in arrays.items():
            buf = io.BytesIO(); np.lib.format.write_array(buf, np.asanyarray(a), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f'{name}.npy', date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(path)


def build(out: Path = OUT, vocabulary: bool = False) -> Path:
    "Synthesise every clip of the words file (or, with `vocabulary`, of the vocabulary file) and save it to `out`."
    version, start = espeak_version(), time.time()
    check_variants()
    clips, words = (plan_vocabulary(), VOCABULARY) if vocabulary else (plan(), WORDS)
    with tempfile.TemporaryDirectory() as tmp:
        images = np.stack([synthesise(c, Path(tmp), words) for c in clips])
    col = lambda k: [c[k] for c in clips]
    accents, variants = list(ENGLISH + FOREIGN), sorted(VARIANTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_npz(out, images=images, word=np.array(col('word'), np.int64),
                        accent=np.array([accents.index(a) for a in col('accent')], np.int64),
                        variant=np.array([variants.index(v) for v in col('variant')], np.int64),
                        test=np.array([s == 'test' for s in col('split')]), foreign=np.array([d == 'foreign' for d in col('domain')]),
                        rate=np.array(col('rate'), np.int64), pitch=np.array(col('pitch'), np.int64),
                        words=np.array(words), accents=np.array(accents), variants=np.array(variants), espeak=np.array(version))
    from tl_nb.models import sha256_of
    print(f'{len(clips)} clips in {time.time() - start:.0f} s with {version}: {out} ({out.stat().st_size / 1e6:.2f} MB), SHA-256 {sha256_of(out)}')
    return out


def check(every: int = 50, vocabulary: bool = False, path: Path | None = None) -> int:
    "Re-synthesise every `every`-th clip and compare it with the shipped file (the vocabulary file, or `path`); the number of clips that differ."
    version, shipped = espeak_version(), np.load(path or (VOCAB_OUT if vocabulary else OUT))
    check_variants()
    if str(shipped['espeak']) != version: print(f'note: shipped with {shipped["espeak"]}, checking with {version}')
    clips, words = (plan_vocabulary(), VOCABULARY) if vocabulary else (plan(), WORDS)
    with tempfile.TemporaryDirectory() as tmp:
        bad = [i for i in range(0, len(clips), every) if not np.array_equal(synthesise(clips[i], Path(tmp), words), shipped['images'][i])]
    print(f'{len(range(0, len(clips), every))} clips re-synthesised: {len(bad)} differ' + (f' (e.g. clip {bad[0]})' if bad else ''))
    return len(bad)


if __name__ == '__main__':
    sys.path.insert(0, str(ROOT))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--check', action='store_true', help='compare a sample of re-synthesised clips with the shipped file')
    p.add_argument('--vocabulary', action='store_true', help=f'the vocabulary file ({VOCAB_OUT.name}) instead of the words file')
    p.add_argument('--out', type=Path, default=None)
    a = p.parse_args()
    sys.exit(1 if check(vocabulary=a.vocabulary, path=a.out) else 0) if a.check else build(a.out or (VOCAB_OUT if a.vocabulary else OUT), a.vocabulary)
