import Foundation
import InspectorUI
import TUIKit
import Workflows

/// Key press → finished frame in the inspector, with a 1,000-tensor model whose first tensor has
/// 100M elements and is still being analysed while the keys arrive, and the first frame of a
/// multi-GB file (the TUI issue's benchmark).
///
/// The model is a sparse safetensors file (the big tensors' zeros take no disk), so it is cheap to
/// make: 1,000 tensors of which one has 100M elements and one (last) 750M, 3.4 GB in all.
enum TUIBenchmark {
  static func run(_ arguments: [String]) -> Int32 {
    let folder = NSTemporaryDirectory() + "qscope-tui-bench-\(getpid())"
    let path = folder + "/synthetic-1000.safetensors"
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: folder) }
      try makeModel(at: path, smallTensors: 998, bigElements: 100_000_000, tailElements: 750_000_000)

      let openStart = DispatchTime.now()
      let (model, format) = try ModelOpener.open(path: path)
      let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
      let screen = VirtualScreen(width: 160, height: 48)
      var state = AppState(model: ModelSummary(model: model, format: format), size: screen.size)
      var terminal = Terminal(backend: screen)
      let glyphs = terminal.glyphs
      runtime.perform(state.requestMissingAnalyses())
      let initial = state
      try terminal.draw { buffer, _ in AppView.render(initial, theme: runtime.theme, glyphs: glyphs, into: &buffer) }
      let firstFrame = seconds(since: openStart)

      let keys: [KeyChord] = (0..<40).flatMap { i -> [KeyChord] in
        [KeyChord(.char("j")), KeyChord(.char("j")), KeyChord(.char(i % 2 == 0 ? "l" : "h")), KeyChord(.pageDown), KeyChord(.char("k"))]
      }
      var frameTimes: [Double] = []
      var slowest = (time: 0.0, key: "", index: 0)
      var busyFrames = 0
      for chord in keys {
        let start = DispatchTime.now()
        var effects = reduce(&state, .key(chord))
        for action in runtime.drain() { effects += reduce(&state, action) }
        runtime.perform(effects)
        let frozen = state
        try terminal.draw { buffer, _ in AppView.render(frozen, theme: runtime.theme, glyphs: glyphs, into: &buffer) }
        let elapsed = seconds(since: start) * 1000
        if elapsed > slowest.time { slowest = (elapsed, chord.description, frameTimes.count) }
        frameTimes.append(elapsed)
        if runtime.busy { busyFrames += 1 }
      }
      frameTimes.sort()
      let median = frameTimes[frameTimes.count / 2]
      let p99 = frameTimes[min(frameTimes.count - 1, Int(Double(frameTimes.count) * 0.99))]
      let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      print("model: 1,000 tensors (one of 100M elements, one of 750M), sparse safetensors of \(Format.bytes(size)), 160×48 virtual screen")
      print(String(format: "first frame after open: %.1f ms (goal ≤ 500 ms)", firstFrame * 1000))
      print(String(format: "key → frame over %d keys (%d while analysis was running): median %.2f ms, p99 %.2f ms, max %.2f ms (goal ≤ 16 ms)",
                   frameTimes.count, busyFrames, median, p99, frameTimes.last ?? 0))
      print("slowest: key \(slowest.key) (press \(slowest.index + 1))")
      return 0
    } catch {
      FileHandle.standardError.write(Data("tui benchmark: \(error)\n".utf8))
      return 1
    }
  }

  static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }

  /// Writes the header and small tensors, then extends the file so the big tensor is a hole.
  static func makeModel(at path: String, smallTensors: Int, bigElements: Int, tailElements: Int) throws {
    var entries: [String] = []
    var payload: [UInt8] = []
    entries.append("\"huge.weight\":{\"dtype\":\"F32\",\"shape\":[10000,\(bigElements / 10000)],\"data_offsets\":[0,\(bigElements * 4)]}")
    var offset = bigElements * 4
    var seed: UInt32 = 1
    for i in 0..<smallTensors {
      let count = 64 * 64
      for _ in 0..<count {
        seed = seed &* 1_664_525 &+ 1_013_904_223
        let value = Float(Int32(bitPattern: seed) >> 8) / Float(1 << 23) * 0.1
        withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) }
      }
      entries.append("\"blk.\(i / 8).w\(i % 8).weight\":{\"dtype\":\"F32\",\"shape\":[64,64],\"data_offsets\":[\(offset),\(offset + count * 4)]}")
      offset += count * 4
    }
    entries.append("\"tail.weight\":{\"dtype\":\"F32\",\"shape\":[50000,\(tailElements / 50000)],\"data_offsets\":[\(offset),\(offset + tailElements * 4)]}")
    var header = "{" + entries.joined(separator: ",") + "}"
    while header.utf8.count % 8 != 0 { header += " " }
    var head: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { head.append(contentsOf: $0) }
    head += Array(header.utf8)
    guard let handle = FileHandle(forWritingAtPath: path) ?? {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
      return FileHandle(forWritingAtPath: path)
    }() else { throw CocoaError(.fileWriteUnknown) }
    defer { try? handle.close() }
    try handle.write(contentsOf: Data(head))
    try handle.truncate(atOffset: UInt64(head.count + bigElements * 4))
    try handle.seek(toOffset: UInt64(head.count + bigElements * 4))
    try handle.write(contentsOf: Data(payload))
    try handle.truncate(atOffset: UInt64(head.count + bigElements * 4 + payload.count + tailElements * 4))
  }
}
