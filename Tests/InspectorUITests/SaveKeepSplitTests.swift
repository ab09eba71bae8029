import Foundation
import InspectorUI
import ModelFormats
import Testing
import TensorCore
import TUIKit
import Workflows

/// The save dialog's Split row for a split GGUF: one file, or the same shards as the input.
@Suite struct SaveKeepSplitTests {
  /// A two-shard llama-named GGUF of float32 tensors; returns the first shard's path.
  static func writeSplit() throws -> String {
    let folder = NSTemporaryDirectory() + "qscope-ui-split-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let name = GGUFSplitName(prefix: folder + "/tiny", number: 1, count: 2)
    let shapes: [[(String, [Int])]] = [
      [("token_embd.weight", [16, 64]), ("blk.0.attn_q.weight", [64, 64])],
      [("blk.0.ffn_up.weight", [128, 64]), ("output.weight", [16, 64])],
    ]
    for (shard, tensors) in shapes.enumerated() {
      var metadata: [GGUFKeyValue] = shard == 0 ? [GGUFKeyValue(key: "general.architecture", value: .string("llama"))] : []
      metadata.append(GGUFKeyValue(key: "split.no", value: .uint16(UInt16(shard))))
      metadata.append(GGUFKeyValue(key: "split.count", value: .uint16(2)))
      metadata.append(GGUFKeyValue(key: "split.tensors.count", value: .int32(4)))
      let data = tensors.map { name, shape -> (spec: GGUFTensorSpec, data: [UInt8]) in
        let count = shape.reduce(1, *)
        let bytes = (0..<count).flatMap { i -> [UInt8] in
          let bits = (sin(Float(i) * 0.37) * 0.1).bitPattern
          return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
        }
        return (GGUFTensorSpec(name: name, shape: shape, type: .f32), bytes)
      }
      let file = try GGUFEncoder.file(metadata: metadata, tensors: data)
      #expect(FileManager.default.createFile(atPath: name.path(ofShard: shard + 1), contents: Data(file)))
    }
    return name.path(ofShard: 1)
  }

  func dialog(_ state: AppState) throws -> SaveDialog {
    guard case .save(let dialog) = state.overlay else { throw DialogMissing() }
    return dialog
  }
  struct DialogMissing: Error {}

  func render(_ state: AppState) -> [String] {
    VirtualScreen(width: 100, height: 30).render { buffer, _ in
      AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer)
    }
  }

  @Test("a split GGUF offers one file or its shards, and the request carries the choice")
  func splitRow() throws {
    let (model, format) = try ModelOpener.open(path: try Self.writeSplit())
    var state = AppState(model: ModelSummary(model: model, format: format), size: Size(width: 100, height: 30))
    #expect(state.model.shardCount == 2)
    _ = reduce(&state, .key(.char("w")))
    #expect(render(state).contains { $0.contains("Split") && $0.contains("[one file]") })
    for _ in 0..<3 { _ = reduce(&state, .key(KeyChord(.down))) }
    #expect(try dialog(state).field == .shards)
    _ = reduce(&state, .key(KeyChord(.right)))
    #expect(try dialog(state).keepSplit)
    #expect(render(state).contains { $0.contains("[2 shards like the input]") })
    let path = try dialog(state).input.text
    let effects = reduce(&state, .key(KeyChord(.enter)))
    #expect(effects.contains(.save(SaveRequest(path: path, plan: state.plan, overwrite: false, format: .gguf, keepSplit: true))))
    _ = reduce(&state, .saveFinished(path: path, error: nil, notes: []))
    #expect(state.message?.text.contains("(2 shards)") == true, "\(state.message?.text ?? "")")
  }

  @Test("a one-file model has no Split row: Down cycles path, format, content")
  func noSplitRow() throws {
    var (state, _, _) = try TestModel.state()
    _ = reduce(&state, .key(.char("w")))
    #expect(!render(state).contains { $0.contains("Split") })
    var seen: [SaveDialog.Field] = []
    for _ in 0..<3 {
      _ = reduce(&state, .key(KeyChord(.down)))
      seen.append(try dialog(state).field)
    }
    #expect(seen == [.format, .content, .path])
  }

  @Test("the runtime writes the shards, which open again as one model")
  func runtimeWritesShards() throws {
    let first = try Self.writeSplit()
    let (model, format) = try ModelOpener.open(path: first)
    let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
    let output = URL(fileURLWithPath: first).deletingLastPathComponent().path + "/out.gguf"
    var plan = Plan()
    plan.defaultScheme = .q8_0
    runtime.perform(.save(SaveRequest(path: output, plan: plan, overwrite: false, format: .gguf, keepSplit: true)))
    #expect(try #require(runtime.waitForSave()) == nil)
    let shards = GGUFFormat.keepSplitPaths(output: output, count: 2)
    #expect(shards.allSatisfy { FileManager.default.fileExists(atPath: $0) })
    let (written, _) = try ModelOpener.open(path: shards[0])
    #expect(written.tensors.map(\.name) == model.tensors.map(\.name))
    #expect(written.tensors.first { $0.name == "blk.0.ffn_up.weight" }?.dtype == .q8_0)
  }
}
