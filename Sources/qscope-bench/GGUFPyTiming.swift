import Foundation

/// Times gguf-py's numpy quantizer in a child Python process.
enum GGUFPyTiming {
  static let script = """
    import json, sys, time
    import numpy as np
    from gguf import GGMLQuantizationType as T
    from gguf.quants import quantize
    n, repeats = int(sys.argv[1]), int(sys.argv[2])
    wanted = sys.argv[3].split(",") if len(sys.argv) > 3 else None
    x = np.random.default_rng(0).standard_normal((n // 4096, 4096)).astype(np.float32)
    rates = {}
    for name in ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "f16", "bf16"]:
        if wanted is not None and name not in wanted:
            continue
        qtype = getattr(T, name.upper())
        best = None
        for _ in range(repeats):
            t = time.thread_time(); quantize(x, qtype); t = time.thread_time() - t
            best = t if best is None else min(best, t)
        rates[name] = x.size / best / 1e6
    if wanted is not None and not {"stats+histogram", "int8"} & set(wanted):
        print(json.dumps(rates)); sys.exit(0)
    best = None
    for _ in range(repeats):
        t = time.thread_time()
        finite = x[np.isfinite(x)]
        stats = (x.size, finite.min(), finite.max(), finite.mean(dtype=np.float64), finite.std(dtype=np.float64), int((finite == 0).sum()))
        np.histogram(finite, bins=256)
        t = time.thread_time() - t
        best = t if best is None else min(best, t)
    rates["stats+histogram"] = x.size / best / 1e6
    best = None
    for _ in range(repeats):
        t = time.thread_time()
        amax = np.abs(x).max(axis=1, keepdims=True)
        scale = amax / 127
        q = np.clip(np.round(x / np.where(scale == 0, 1, scale)), -127, 127)
        xhat = (q * scale).astype(np.float32)
        err = (x - xhat).astype(np.float64)
        sqnr = 10 * np.log10((x.astype(np.float64) ** 2).sum() / (err ** 2).sum())
        cos = (x.astype(np.float64) * xhat).sum() / np.linalg.norm(x) / np.linalg.norm(xhat)
        t = time.thread_time() - t
        best = t if best is None else min(best, t)
    rates["int8"] = x.size / best / 1e6
    print(json.dumps(rates))
    """

  /// The types gguf-py quantizes itself.
  static let quantizerTypes: Set<String> = ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "f16", "bf16"]

  /// M weights/s per scheme name (all of them, or only those named in `only`; "stats+histogram"
  /// and "int8" come together); empty when Python or gguf is unavailable.
  static func rates(python: String, elements: Int, repeats: Int, only: [String]? = nil) -> [String: Double] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, String(elements), String(repeats)] + (only.map { [$0.joined(separator: ",")] } ?? [])
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return [:] }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
      let decoded = try? JSONDecoder().decode([String: Double].self, from: data)
    else { return [:] }
    return decoded
  }
}
