"""Makes Tests/ModelFormatsTests/Fixtures/keras/cyclic-groups.keras: seq-dense.keras whose weights file
has a hard link making a layer group its own child (layers/<first>/loop -> layers/<first>), the shape
of a fuzzer finding that sent the reader into unbounded recursion. Needs h5py (the Keras test venv)."""
import io, sys, zipfile
from pathlib import Path
import h5py

root = Path(__file__).resolve().parent.parent
folder = root / "Tests/ModelFormatsTests/Fixtures/keras"
source = zipfile.ZipFile(folder / "seq-dense.keras")
members = {name: source.read(name) for name in source.namelist()}
image = io.BytesIO(members["model.weights.h5"])
with h5py.File(image, "r+") as f:
    first = sorted(f["layers"].keys())[0]
    f[f"layers/{first}/loop"] = f[f"layers/{first}"]  # a hard link: the group contains itself
members["model.weights.h5"] = image.getvalue()
with zipfile.ZipFile(folder / "cyclic-groups.keras", "w", zipfile.ZIP_STORED) as out:
    for name in source.namelist():
        out.writestr(name, members[name])
print("wrote", folder / "cyclic-groups.keras", file=sys.stderr)
