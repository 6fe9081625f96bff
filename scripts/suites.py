#!/usr/bin/env python3
"""Builds CoreMark and Embench as WebAssembly modules from pinned upstream
sources (treVM bench, `make suites`).

Sources are never part of the repository. For each suite the pinned commit
is taken from, in this order:

1. a local copy the user names (COREMARK_SRC / EMBENCH_SRC /
   EMBENCH_CURRENT_SRC): a git repository (bare or not) that has the pinned
   commit is exported at that commit; any other directory is used as it is
   (recorded as "unpinned" when its content differs from the pin);
2. the cache outside the repository (default
   ${XDG_CACHE_HOME:-~/.cache}/trevm-bench/src/<repo>-<commit>/);
3. a download of https://codeload.github.com/<owner>/<repo>/tar.gz/<commit>
   (another server with the same layout: TREVM_SUITES_MIRROR=https://host).

Whatever its origin, a pinned tree is accepted only when its content hash
(`tree-hash`, below) equals the pinned one: the archive bytes GitHub serves
are not guaranteed stable, the files in them are.

Outputs: build/suites/<suite>/<benchmark>.wasm, build/suites/<suite>/build.json
(compiler, flags, upstream commit, module hashes) and build/suites/sources.txt
(where the sources are, for the native build in benches/native-c).

Exit status: 0 built (or up to date), 1 a build failed, 2 bad arguments,
3 sources missing (the suites that have sources are built; one message says
how to get the others).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COREMARK_PORT = ROOT / "coremark-wasm"
EMBENCH_BOARD = ROOT / "embench-wasm"

# This script's own hash is an input of every build: changing it rebuilds.
BUILD_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass(frozen=True)
class Pin:
    """One upstream revision a suite is built from."""

    repo: str  # owner/name on GitHub
    commit: str  # full commit hash
    ref: str  # what the commit is (tag or branch at pinning time)
    tree_sha256: str  # `tree-hash` of the commit's files

    @property
    def dir_name(self):
        return f"{self.repo.split('/')[1]}-{self.commit}"

    @property
    def url(self):
        # TREVM_SUITES_MIRROR: another server with codeload's URL layout.
        base = os.environ.get("TREVM_SUITES_MIRROR", "https://codeload.github.com").rstrip("/")
        return f"{base}/{self.repo}/tar.gz/{self.commit}"


PINS = {
    "coremark": Pin(
        "eembc/coremark",
        "d5fad6bd094899101a4e5fd53af7298160ced6ab",
        "main (2023-01-24)",
        "3e8ef7b5743cdec091485dfcace02ed62682abbc49d67f5ad057389e371a3204",
    ),
    "embench": Pin(
        "embench/embench-iot",
        "0466a18e4f6b47e19598d7c6ba72916d54b68f65",
        "tag embench-1.0",
        "9959190cebe86113e0f3c7be7c9424e8be720662704b3cc39c729fa4459c801a",
    ),
    "embench-current": Pin(
        "embench/embench-iot",
        "09c2ed8c3b7008c95d08b038de4a3f6dc103ed70",
        "master (2026-02-13)",
        "00f04899bc5cd053113b841abb79b8e0f27068d0b4c9adb176aa6390d25a66c1",
    ),
}
SUITES = list(PINS)

# CoreMark's files; only core_portme.* (coremark-wasm/) are ours.
COREMARK_FILES = ["core_list_join.c", "core_main.c", "core_matrix.c", "core_state.c", "core_util.c"]

# Memory layout: stack first (an overflow traps instead of corrupting data),
# then data; the whole memory is fixed (no growth).
LAYOUT = {
    # suite kind: (pages of 64 KiB, stack bytes)
    "coremark": (1, 16 * 1024),
    "embench": (2, 64 * 1024),  # the paper's two pages
}

# What each module must import and export: name -> (params, results).
ABI = {
    "coremark": {
        "imports": {("env", "clock_ms"): ((), ("i64",))},
        "exports": {
            "run": ((), ("f32",)),
            "iterations": ((), ("i32",)),
            "validated": ((), ("i32",)),
        },
    },
    "embench": {
        "imports": {
            ("env", "initialise_board"): ((), ()),
            ("env", "start_trigger"): ((), ()),
            ("env", "stop_trigger"): ((), ()),
        },
        "exports": {"__original_main": ((), ("i32",))},
    },
}


class Failure(Exception):
    """A build step failed; the message says which and why."""


def say(msg):
    print(f"suites: {msg}", file=sys.stderr)


# ---------------------------------------------------------------------------
# Content hashes


def tree_hash(root):
    """sha256 over the sorted `sha256  path` lines of every file in `root`
    (like `sha256sum` prints them), symlinks hashed by their target, `.git`
    left out. Independent of archive format, timestamps and permissions."""
    root = Path(root)
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                digest = hashlib.sha256(b"symlink:" + os.readlink(p).encode()).hexdigest()
            elif p.is_file():
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                continue
            lines.append(f"{digest}  {rel}\n")
    lines.sort(key=lambda l: l.split("  ", 1)[1].encode())
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def file_sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# Finding the sources


@dataclass
class Source:
    """A source tree of one suite and what is known about it."""

    path: Path
    pinned: bool  # content equals the pin
    tree_sha256: str
    origin: str  # where it came from, for build.json


def git_has_commit(repo, commit):
    r = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "-e", f"{commit}^{{commit}}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return r.returncode == 0


def install_tree(staging, pin, cache):
    """Checks the tree in `staging` against `pin` and moves it into the cache."""
    got = tree_hash(staging)
    if got != pin.tree_sha256:
        raise Failure(
            f"the files of {pin.repo} at {pin.commit} hash to {got}, "
            f"the pin says {pin.tree_sha256}: refusing them"
        )
    dest = cache / pin.dir_name
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    dest.chmod(0o755)
    (cache / f"{pin.dir_name}.tree-sha256").write_text(got + "\n")
    return dest


def export_from_git(repo, pin, cache):
    """`git archive` of the pinned commit from a local repository, into the cache."""
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=cache))
    try:
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", pin.commit],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(staging)], input=archive, check=True)
        return install_tree(staging, pin, cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def safe_members(tar, top):
    """The archive's members below `top/`, refusing anything that could land
    outside the extraction folder."""
    for m in tar.getmembers():
        name = m.name
        if name == top or name.startswith("pax_global_header"):
            continue
        if not name.startswith(top + "/") or ".." in Path(name).parts or name.startswith("/"):
            raise Failure(f"unexpected path in the archive: {name}")
        if not (m.isfile() or m.isdir() or m.issym()):
            raise Failure(f"unexpected entry type in the archive: {name}")
        if m.issym():
            target = os.path.normpath(os.path.join(os.path.dirname(name), m.linkname))
            if m.linkname.startswith("/") or not target.startswith(top + "/"):
                raise Failure(f"symlink leaving the tree in the archive: {name} -> {m.linkname}")
        yield m


class Fetcher:
    """Downloads pinned trees from GitHub into the cache. After the first
    failure (no network, typically) it tries no more."""

    def __init__(self, cache, offline):
        self.cache = cache
        self.refused = "no download tried (--offline)" if offline else None

    def fetch(self, pin):
        """The pinned tree, or (None, why not)."""
        if self.refused:
            return None, self.refused
        try:
            return self._download(pin), None
        except (urllib.error.URLError, OSError) as e:
            self.refused = f"download failed: {getattr(e, 'reason', e)}"
            return None, self.refused

    def _download(self, pin):
        self.cache.mkdir(parents=True, exist_ok=True)
        say(f"downloading {pin.url}")
        with urllib.request.urlopen(pin.url, timeout=60) as r:
            data = r.read()
        say(f"  {len(data)} bytes, archive sha256 {hashlib.sha256(data).hexdigest()}")
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=self.cache))
        try:
            tgz = staging / "archive.tar.gz"
            tgz.write_bytes(data)
            out = staging / "tree"
            out.mkdir()
            checked = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            with tarfile.open(tgz) as tar:
                top = f"{pin.repo.split('/')[1]}-{pin.commit}"
                for m in safe_members(tar, top):
                    m.name = m.name[len(top) + 1 :]
                    tar.extract(m, out, set_attrs=False, **checked)
            return install_tree(out, pin, self.cache)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def find_source(suite, local, cache, fetcher):
    """The source of `suite`: (Source, None), or (None, why not)."""
    pin = PINS[suite]
    if local is not None:
        local = Path(local).expanduser().resolve()
        if not local.is_dir():
            raise Failure(f"{suite}: {local} is not a folder")
        if git_has_commit(local, pin.commit):
            cached = cache / pin.dir_name
            if not cached_ok(cache, pin):
                say(f"{suite}: exporting {pin.commit[:12]} from {local}")
                cached = export_from_git(local, pin, cache)
            return Source(cached, True, pin.tree_sha256, f"{local} at {pin.commit}"), None
        got = tree_hash(local)
        if got != pin.tree_sha256:
            say(
                f"warning: {suite}: {local} is not the pinned {pin.repo} {pin.commit[:12]} "
                f"({pin.ref}); building it anyway, recorded as unpinned (tree {got[:16]})"
            )
        return Source(local, got == pin.tree_sha256, got, str(local)), None
    if cached_ok(cache, pin):
        return Source(cache / pin.dir_name, True, pin.tree_sha256, "cache"), None
    tree, why = fetcher.fetch(pin)
    if tree is None:
        return None, f"not in the cache, {why}"
    return Source(tree, True, pin.tree_sha256, pin.url), None


def cached_ok(cache, pin):
    stamp = cache / f"{pin.dir_name}.tree-sha256"
    return (cache / pin.dir_name).is_dir() and stamp.is_file() and stamp.read_text().strip() == pin.tree_sha256


def missing_message(missing, cache):
    """The one message that says how to get the sources."""
    names = ", ".join(missing)
    reasons = set(missing.values())
    why = reasons.pop() if len(reasons) == 1 else "; ".join(f"{s}: {r}" for s, r in missing.items())
    pins = "\n".join(f"    {s:<16} {p.repo} {p.commit} ({p.ref})" for s, p in PINS.items() if s in missing)
    return f"""error: the upstream sources of {names} are not available ({why}).
treVM bench builds these suites from pinned upstream commits and never ships them:
{pins}
Get them in one of two ways:
  - on a machine with network access, run `make suites` (it downloads and checks
    them into {cache}), then copy that folder here to the same place;
  - or clone them anywhere outside this repository and name the clones:
      git clone https://github.com/eembc/coremark
      git clone https://github.com/embench/embench-iot
      make suites COREMARK_SRC=$PWD/coremark EMBENCH_SRC=$PWD/embench-iot
    (one embench-iot clone serves both Embench sets).
Everything else works without them, e.g. `make bench SUITE=own`."""


# ---------------------------------------------------------------------------
# Toolchains


@dataclass
class Toolchain:
    """One way to compile C to a Wasm module."""

    kind: str  # "clang" or "emcc"
    version: str
    cc: str
    ld: str = ""
    libc_dir: str = ""  # wasi-libc's libraries (clang)
    builtins: str = ""  # compiler-rt builtins archive (clang)


def tool_version(cmd):
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise Failure(f"`{cmd}` is not usable ({e}); run `make setup`")
    return out.splitlines()[0].strip()


def toolchain(kind, env):
    if kind == "emcc":
        emcc = env.get("EMCC", "emcc")
        # "emcc (Emscripten gcc/clang-like replacement ...) 3.1.6 ()" -> "emcc 3.1.6"
        found = re.search(r"\b(\d+\.\d+\.\d+)\b", tool_version(emcc))
        return Toolchain("emcc", f"emcc {found.group(1) if found else '(unknown version)'}", emcc)
    clang = env.get("CLANG", "clang-14")
    ld = env.get("WASM_LD", "wasm-ld-14")
    version = tool_version(clang)
    tool_version(ld)

    def ask(*args):
        return subprocess.run([clang, *args], capture_output=True, text=True).stdout.strip()

    libc = Path(ask("--target=wasm32-wasi", "-print-file-name=libc.a"))
    builtins = Path(ask("-print-resource-dir")) / "lib/wasi/libclang_rt.builtins-wasm32.a"
    for what, p, pkg in [("wasi-libc", libc, "wasi-libc"), ("compiler-rt builtins", builtins, "libclang-rt-14-dev-wasm32")]:
        if not p.is_file():
            raise Failure(f"{what} for wasm32 not found ({p}); install the Debian package {pkg} (`make setup`)")
    return Toolchain("clang", version, clang, ld, str(libc.parent), str(builtins))


def run(cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"command failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.strip()}")


def link_wasm(tc, kind, sources, includes, defines, opt, out, work):
    """Compiles `sources` and links one module of ABI `kind`. Returns the
    compiler and linker flags as recorded in build.json."""
    pages, stack = LAYOUT[kind]
    memory = pages * 65536
    dflags = [f"-D{d}" for d in defines]
    iflags = [f"-I{i}" for i in includes]
    if tc.kind == "emcc":
        cflags = [opt, *dflags]
        lflags = [
            "-sSTANDALONE_WASM",
            "--no-entry",
            "-sERROR_ON_UNDEFINED_SYMBOLS=0",
            f"-sINITIAL_MEMORY={memory}",
            "-sALLOW_MEMORY_GROWTH=0",
            f"-sTOTAL_STACK={stack}",
            "-Wl,--stack-first",
        ]
        run([tc.cc, *cflags, *iflags, *map(str, sources), *lflags, "-o", str(out)], cwd=work)
        return cflags, lflags
    # clang: CoreMark needs no C library headers (freestanding wasm32);
    # Embench includes <string.h>, <math.h>... from wasi-libc.
    target = "--target=wasm32" if kind == "coremark" else "--target=wasm32-wasi"
    cflags = [target, opt, *dflags]
    if kind == "coremark":
        cflags.insert(1, "-nostdlib")
    objects = []
    for i, src in enumerate(sources):
        obj = Path(work) / f"{i:02d}-{Path(src).stem}.o"
        run([tc.cc, *cflags, *iflags, "-c", str(src), "-o", str(obj)])
        objects.append(str(obj))
    lflags = [
        "--no-entry",
        "--stack-first",
        "-z",
        f"stack-size={stack}",
        f"--initial-memory={memory}",
        f"--max-memory={memory}",
    ]
    libs = []
    if kind == "embench":
        # _initialize (runs constructors) from wasi-libc, as Emscripten's
        # reactor has it; the three board functions become env imports,
        # any other undefined symbol is an error.
        undefined = Path(work) / "imports.txt"
        undefined.write_text("initialise_board\nstart_trigger\nstop_trigger\n")
        lflags += ["--export=_initialize", f"--allow-undefined-file={undefined.name}"]
        objects.insert(0, str(Path(tc.libc_dir) / "crt1-reactor.o"))
        libs = [str(Path(tc.libc_dir) / "libc.a"), str(Path(tc.libc_dir) / "libm.a"), tc.builtins]
    else:
        # memset/memcpy the optimiser may call.
        libs = [str(Path(tc.libc_dir) / "libc.a")]
    run([tc.ld, *lflags, *objects, *libs, "-o", str(out)], cwd=work)
    return cflags, lflags


# ---------------------------------------------------------------------------
# Checking what was built


def read_leb(b, i):
    shift = result = 0
    while True:
        byte = b[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def read_name(b, i):
    n, i = read_leb(b, i)
    return b[i : i + n].decode(), i + n


VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


def wasm_interface(path):
    """The function imports and exports of a module, with their signatures,
    and its memory limits: (imports, exports, memory) where memory is
    (min pages, max pages or None) or None."""
    b = Path(path).read_bytes()
    if b[:8] != b"\0asm\x01\0\0\0":
        raise Failure(f"{path} is not a Wasm module")
    types, funcs, imports, exports, memory = [], [], {}, {}, None
    i = 8
    while i < len(b):
        sid = b[i]
        size, i = read_leb(b, i + 1)
        end = i + size
        if sid in (1, 2, 3, 5, 7):
            n, j = read_leb(b, i)
            for _ in range(n):
                if sid == 1:
                    j += 1  # 0x60
                    sig = []
                    for _ in range(2):
                        k, j = read_leb(b, j)
                        sig.append(tuple(VALTYPES.get(t, hex(t)) for t in b[j : j + k]))
                        j += k
                    types.append(tuple(sig))
                elif sid == 2:
                    module, j = read_name(b, j)
                    field, j = read_name(b, j)
                    kind = b[j]
                    j += 1
                    if kind == 0:
                        t, j = read_leb(b, j)
                        imports[(module, field)] = types[t]
                        funcs.append(types[t])
                    elif kind == 1:  # table: reftype + limits
                        flags, j = read_leb(b, j + 1)
                        _, j = read_leb(b, j)
                        if flags & 1:
                            _, j = read_leb(b, j)
                        imports[(module, field)] = "table"
                    elif kind == 2:
                        flags, j = read_leb(b, j)
                        _, j = read_leb(b, j)
                        if flags & 1:
                            _, j = read_leb(b, j)
                        imports[(module, field)] = "memory"
                    else:  # global
                        j += 2
                        imports[(module, field)] = "global"
                elif sid == 3:
                    t, j = read_leb(b, j)
                    funcs.append(types[t])
                elif sid == 5:
                    flags, j = read_leb(b, j)
                    lo, j = read_leb(b, j)
                    hi = None
                    if flags & 1:
                        hi, j = read_leb(b, j)
                    memory = (lo, hi)
                elif sid == 7:
                    name, j = read_name(b, j)
                    kind = b[j]
                    idx, j = read_leb(b, j + 1)
                    exports[name] = funcs[idx] if kind == 0 else ("table", "memory", "global")[kind - 1]
        i = end
    return imports, exports, memory


def check_module(path, kind):
    """Raises Failure unless the module follows the ABI of `kind` exactly:
    these imports and nothing else, these exports, fixed memory."""
    imports, exports, memory = wasm_interface(path)
    want = ABI[kind]
    problems = []
    for key, sig in imports.items():
        if key not in want["imports"]:
            problems.append(f"unexpected import {key[0]}.{key[1]}")
        elif sig != want["imports"][key]:
            problems.append(f"import {key[0]}.{key[1]} has type {sig}, expected {want['imports'][key]}")
    for name, sig in want["exports"].items():
        if name not in exports:
            problems.append(f"export {name} missing")
        elif exports[name] != sig:
            problems.append(f"export {name} has type {exports[name]}, expected {sig}")
    if "_initialize" in exports and exports["_initialize"] != ((), ()):
        problems.append("export _initialize is not () -> ()")
    pages = LAYOUT[kind][0]
    if memory != (pages, pages):
        problems.append(f"memory is {memory}, expected {pages} fixed page(s)")
    if problems:
        raise Failure(f"{path}: " + "; ".join(problems))


# ---------------------------------------------------------------------------
# The suites


def coremark_units(src, iterations, flags_note):
    """(benchmark name, sources, includes, defines) of CoreMark."""
    missing = [f for f in COREMARK_FILES + ["coremark.h"] if not (src / f).is_file()]
    if missing:
        raise Failure(f"coremark: {src} is not a CoreMark tree (missing {', '.join(missing)})")
    sources = [src / f for f in COREMARK_FILES] + [COREMARK_PORT / "core_portme.c"]
    defines = [f"ITERATIONS={iterations}", f'COMPILER_FLAGS="{flags_note}"']
    return [("coremark", sources, [COREMARK_PORT, src], defines)]


def embench_units(src, suite):
    """(benchmark name, sources, includes, defines) of every Embench program."""
    support = src / "support"
    if not (support / "main.c").is_file() or not (src / "src").is_dir():
        raise Failure(f"{suite}: {src} is not an Embench tree (no support/main.c or src/)")
    defines = ["CPU_MHZ=1", "WARMUP_HEAT=1"]
    if suite == "embench-current":
        defines.append("GLOBAL_SCALE_FACTOR=1")
    units = []
    for bench in sorted(p for p in (src / "src").iterdir() if p.is_dir()):
        files = sorted(bench.glob("*.c"))
        if not files:
            continue
        sources = files + [support / "main.c", support / "beebsc.c", EMBENCH_BOARD / "board.c"]
        units.append((bench.name, sources, [support, bench], defines))
    if not units:
        raise Failure(f"{suite}: no benchmarks in {src / 'src'}")
    return units


def build_suite(suite, source, tc, opt, iterations, out_root, force):
    """Builds every module of `suite` into out_root/suite/. Returns the
    build.json record."""
    kind = "coremark" if suite == "coremark" else "embench"
    out = out_root / suite
    port = COREMARK_PORT if kind == "coremark" else EMBENCH_BOARD
    port_hash = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(port.iterdir()) if p.is_file())
    ).hexdigest()
    inputs = hashlib.sha256(
        json.dumps(
            [BUILD_VERSION, source.tree_sha256, port_hash, tc.version, opt, iterations, LAYOUT[kind]]
        ).encode()
    ).hexdigest()
    record_path = out / "build.json"
    if not force and record_path.is_file():
        old = json.loads(record_path.read_text())
        complete = not old.get("failed") and all((out / f"{m}.wasm").is_file() for m in old.get("modules", {}))
        if old.get("inputs") == inputs and complete:
            say(f"{suite}: up to date ({len(old['modules'])} modules in {out})")
            return old

    if kind == "coremark":
        # CoreMark's report names the compiler flags: target and
        # optimisation (the port's defines are in build.json's cflags).
        flags_note = " ".join(["--target=wasm32 -nostdlib" if tc.kind == "clang" else "", opt]).strip()
        units = coremark_units(source.path, iterations, flags_note)
    else:
        units = embench_units(source.path, suite)

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.wasm"):
        old.unlink()
    if record_path.exists():
        record_path.unlink()
    modules, failed = {}, []
    cflags = lflags = None
    for name, sources, includes, defines in units:
        wasm = out / f"{name}.wasm"
        with tempfile.TemporaryDirectory(prefix="trevm-suites-") as work:
            try:
                cflags, lflags = link_wasm(tc, kind, sources, includes, defines, opt, wasm, work)
                check_module(wasm, kind)
            except Failure as e:
                failed.append(f"{suite}/{name}: {e}")
                if wasm.exists():
                    wasm.unlink()
                continue
        modules[name] = {"bytes": wasm.stat().st_size, "sha256": file_sha256(wasm)}
    pin = PINS[suite]
    record = {
        "suite": suite,
        "upstream": {
            "repo": pin.repo,
            "commit": pin.commit if source.pinned else None,
            "ref": pin.ref if source.pinned else None,
            "pinned": source.pinned,
            "tree_sha256": source.tree_sha256,
            "origin": source.origin,
        },
        "compiler": tc.version,
        "cc": tc.kind,
        "cflags": " ".join(cflags or []),
        "ldflags": " ".join(lflags or []),
        "memory_pages": LAYOUT[kind][0],
        "stack_bytes": LAYOUT[kind][1],
        "modules": modules,
        "failed": failed,
        "inputs": inputs,
    }
    if kind == "coremark":
        record["iterations"] = iterations
        record["compiler_flags"] = flags_note
        record["port_files"] = ["core_portme.c", "core_portme.h"]
    record_path.write_text(json.dumps(record, indent=2) + "\n")
    if failed:
        raise Failure(f"{len(failed)} of {len(units)} {suite} modules did not build:\n" + "\n".join(failed))
    say(f"{suite}: built {len(modules)} modules with {tc.kind} into {out}")
    return record


def check_coremark_tree(src):
    """CoreMark ships md5 sums of its own files: a tree whose core files were
    changed may not report CoreMark results."""
    sums = src / "coremark.md5"
    if not sums.is_file():
        return "no coremark.md5 in the tree"
    bad = []
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            digest, name = parts
            f = src / name.lstrip("*")
            if not f.is_file() or hashlib.md5(f.read_bytes()).hexdigest() != digest:
                bad.append(name)
    return f"changed upstream files: {', '.join(bad)}" if bad else None


def write_manifest(out_root, sources):
    """build/suites/sources.txt: where each built suite's sources are, for
    the native build (benches/native-c/build.rs)."""
    path = out_root / "sources.txt"
    known = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                known[k.strip()] = v.strip()
    known.update({s: str(src.path) for s, src in sources.items()})
    text = "# Written by scripts/suites.py: suite=source folder (read by benches/native-c/build.rs)\n"
    text += "".join(f"{k}={known[k]}\n" for k in SUITES if k in known)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


# ---------------------------------------------------------------------------
# Command line


def default_cache():
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trevm-bench"


def parse_suites(text):
    names = [s.strip() for s in text.split(",") if s.strip()]
    if "all" in names:
        return SUITES
    bad = [s for s in names if s not in PINS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown suite(s) {bad or text!r}; known: {', '.join(SUITES)}, all")
    return names


def parse_iterations(text):
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0 or n > 2**31 - 1:
        raise argparse.ArgumentTypeError(f"ITERATIONS must be a whole number >= 0 (0: CoreMark picks, >= 10 s), not {text!r}")
    return n


def parse_opt(text):
    if not re.fullmatch(r"-O[0123sz]", text):
        raise argparse.ArgumentTypeError(f"optimisation must be one of -O0 -O1 -O2 -O3 -Os -Oz, not {text!r}")
    return text


def empty_is_none(text):
    return text or None


def cmd_build(args):
    cache = Path(args.cache).expanduser() / "src"
    locals_ = {
        "coremark": args.coremark_src,
        "embench": args.embench_src,
        "embench-current": args.embench_current_src or args.embench_src,
    }
    sources, missing = {}, {}
    fetcher = Fetcher(cache, args.offline)
    for suite in args.suite:
        local = locals_[suite]
        # EMBENCH_SRC stands in for the current set only when it has that
        # commit (a clone); a plain 1.0 tree must not be built as both.
        if suite == "embench-current" and not args.embench_current_src and local:
            if not git_has_commit(local, PINS[suite].commit):
                local = None
        src, why = find_source(suite, local, cache, fetcher)
        if src is None:
            missing[suite] = why
        else:
            sources[suite] = src
    out_root = Path(args.out)
    out_root.mkdir(parents=True, exist_ok=True)
    env = os.environ
    failed = []
    built = {}
    for suite, src in sources.items():
        cc = args.coremark_cc if suite == "coremark" else args.embench_cc
        try:
            if suite == "coremark":
                problem = check_coremark_tree(src.path)
                if problem:
                    say(f"warning: coremark: {problem}; results from it are not CoreMark scores")
            tc = toolchain(cc, env)
            build_suite(suite, src, tc, args.opt, args.iterations, out_root, args.force)
            built[suite] = src
        except Failure as e:
            failed.append(str(e))
    write_manifest(out_root, built)
    for f in failed:
        print(f"error: {f}", file=sys.stderr)
    if missing:
        print(missing_message(missing, cache.parent), file=sys.stderr)
        return 3
    return 1 if failed else 0


def cmd_tree_hash(args):
    print(tree_hash(args.dir))
    return 0


def cmd_check(args):
    try:
        check_module(args.module, args.abi)
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{args.module}: follows the {args.abi} ABI")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="suites.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build", help="build the suites' Wasm modules")
    b.add_argument("--suite", type=parse_suites, default=SUITES, help=f"comma-separated: {', '.join(SUITES)} or all (default all)")
    b.add_argument("--coremark-src", type=empty_is_none, help="local CoreMark checkout (git repo or tree)")
    b.add_argument("--embench-src", type=empty_is_none, help="local embench-iot checkout (a clone serves both sets)")
    b.add_argument("--embench-current-src", type=empty_is_none, help="local embench-iot tree for the current set")
    b.add_argument("--cache", default=str(default_cache()), help="download cache (default %(default)s)")
    b.add_argument("--out", default=str(ROOT / "build" / "suites"), help="output folder (default %(default)s)")
    b.add_argument("--coremark-cc", choices=["clang", "emcc"], default="clang")
    b.add_argument("--embench-cc", choices=["clang", "emcc"], default="emcc")
    b.add_argument("--iterations", type=parse_iterations, default=0, help="CoreMark iterations (0: CoreMark picks, >= 10 s)")
    b.add_argument("--opt", type=parse_opt, default="-O2", help="optimisation level (default -O2)")
    b.add_argument("--offline", action="store_true", help="never download")
    b.add_argument("--force", action="store_true", help="rebuild even when up to date")
    b.set_defaults(func=cmd_build)

    t = sub.add_parser("tree-hash", help="print the content hash of a source tree (how pins are checked)")
    t.add_argument("dir")
    t.set_defaults(func=cmd_tree_hash)

    c = sub.add_parser("check", help="check a module's imports, exports and memory against an ABI")
    c.add_argument("abi", choices=list(ABI))
    c.add_argument("module")
    c.set_defaults(func=cmd_check)

    args = p.parse_args(argv)
    try:
        return args.func(args)
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
