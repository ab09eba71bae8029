import Foundation
import Testing

@Suite("qscope quantize (built binary)")
struct QuantizeCommandTests {
  func contents(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  @Test("dry run prints targets and totals and writes nothing")
  func dryRun() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let result = try CLI.run(["quantize", path, "--scheme", "int8", "--tensor-type", "fc2=f16", "--dry-run"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    let fc1 = try #require(lines.first { $0.hasPrefix("fc1.weight ") })
    let fc2 = try #require(lines.first { $0.hasPrefix("fc2.weight ") })
    let bias = try #require(lines.first { $0.hasPrefix("fc1.bias ") })
    #expect(fc1.contains(" int8 "))
    #expect(fc2.contains(" f16 "))
    #expect(bias.contains(" keep "))
    #expect(result.stdout.contains("total: 2 of 5 tensors change"))
    #expect(contents(folder) == ["mlp.safetensors"])
  }

  @Test("first matching --tensor-type wins, exact plan entries beat rules")
  func ruleOrder() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let plan = folder + "/plan.json"
    try #"{"version": 1, "default": "int4", "rules": [{"pattern": "fc", "scheme": "bf16"}], "tensors": {"fc2.weight": "int8", "fc1.bias": "f16"}}"#
      .write(toFile: plan, atomically: true, encoding: .utf8)
    let result = try CLI.run(["quantize", path, "--plan", plan, "--tensor-type", "fc1=int4-g32", "--tensor-type", "fc=f16", "--dry-run"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first { $0.hasPrefix("fc1.weight ") }?.contains(" int4-g32 ") == true)
    #expect(lines.first { $0.hasPrefix("fc2.weight ") }?.contains(" int8 ") == true)
    #expect(lines.first { $0.hasPrefix("fc1.bias ") }?.contains(" f16 ") == true, "exact entries may name any tensor")
    #expect(lines.first { $0.hasPrefix("norm.weight ") }?.contains(" keep ") == true)
  }

  @Test("--keep-split is refused for a format without shards, and nothing is written")
  func keepSplitNeedsGGUF() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let result = try CLI.run(["quantize", path, "-o", folder + "/out.safetensors", "--scheme", "int8", "--keep-split"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--keep-split applies to GGUF input"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/out.safetensors"))
  }

  @Test("the split flags exclude each other and sizes are checked before anything is read")
  func splitFlags() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let both = try CLI.run(["quantize", path, "-o", folder + "/out.gguf", "--scheme", "f16", "--keep-split", "--split-max-tensors", "2"])
    #expect(both.status == 64 && both.stderr.contains("exclude each other"), "\(both.stderr)")
    let bad = try CLI.run(["quantize", path, "-o", folder + "/out.gguf", "--scheme", "f16", "--split-max-size", "12Q"])
    #expect(bad.status == 64 && bad.stderr.contains("--split-max-size '12Q'"), "\(bad.stderr)")
    let huge = try CLI.run(["quantize", path, "-o", folder + "/out.gguf", "--scheme", "f16", "--split-max-size", "99999999999G"])
    #expect(huge.status == 64, "overflow is refused: \(huge.stderr)")
    #expect(!contents(folder).contains { $0.hasPrefix("out") })
  }

  @Test("--split-max-size writes gguf-split shards that open again as the model")
  func splitMaxSize() throws {
    let folder = try Fixture.folder()
    let sample = CLI.packageRoot + "/SampleModels/minilm-sample.gguf"
    let out = folder + "/out.gguf"
    let result = try CLI.run(["quantize", sample, "-o", out, "--scheme", "q8_0", "--split-max-size", "1M"])
    #expect(result.status == 0, "\(result.stderr)")
    let shards = contents(folder).filter { $0.hasPrefix("out-") && $0.hasSuffix(".gguf") }
    #expect(shards.count > 1 && result.stdout.contains("(\(shards.count) shards)"), "\(result.stdout)")
    let inspect = try CLI.run(["inspect", folder + "/" + shards[0]])
    #expect(inspect.status == 0 && inspect.stdout.contains("split model"), "\(inspect.stdout)\(inspect.stderr)")
  }

  @Test("refuses to overwrite its input or an existing file without --force")
  func refusals() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let same = try CLI.run(["quantize", path, "-o", path, "--scheme", "f16", "--force"])
    #expect(same.status == 1)
    #expect(same.stderr.contains("overwrite the input"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    let existing = Fixture.write(Data([1]), to: folder, name: "out.safetensors")
    let refused = try CLI.run(["quantize", path, "-o", existing, "--scheme", "f16"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("--force"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == Data([1]))
    let forced = try CLI.run(["quantize", path, "-o", existing, "--scheme", "f16", "--force"])
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(contents(folder) == ["mlp.safetensors", "out.safetensors"])
  }

  @Test("writes a file that inspect reads back with the requested types")
  func writesAndReadsBack() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let out = folder + "/mlp-f16.safetensors"
    let result = try CLI.run(["quantize", path, "-o", out, "--scheme", "f16"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("2 of 5 tensors quantized"))
    let inspect = try CLI.run(["inspect", out, "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
    let dtypes = Dictionary(uniqueKeysWithValues: ((root["tensors"] as? [[String: Any]]) ?? []).map {
      ($0["name"] as? String ?? "", $0["dtype"] as? String ?? "")
    })
    #expect(dtypes["fc1.weight"] == "F16" && dtypes["fc2.weight"] == "F16" && dtypes["fc1.bias"] == "F32")
    #expect(contents(folder) == ["mlp-f16.safetensors", "mlp.safetensors"], "no temporary file is left behind")
  }

  @Test("a tensor holding NaN is refused by name and nothing is written")
  func nanRefused() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(nan: true), to: folder, name: "nan.safetensors")
    let result = try CLI.run(["quantize", path, "-o", folder + "/q.safetensors", "--scheme", "int8"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("fc1.weight") && result.stderr.contains("NaN"))
    #expect(contents(folder) == ["nan.safetensors"])
  }

  @Test("bad plans and flags are reported clearly")
  func badInput() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let plan = folder + "/plan.json"
    try #"{"version": 1, "default": "int9"}"#.write(toFile: plan, atomically: true, encoding: .utf8)
    let result = try CLI.run(["quantize", path, "--plan", plan, "--dry-run"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("plan.json") && result.stderr.contains("int9"))
    #expect(try CLI.run(["quantize", path, "--scheme", "int8"]).status == 64, "missing -o")
    #expect(try CLI.run(["quantize", path, "--tensor-type", "fc1", "--dry-run"]).status == 64)
    #expect(try CLI.run(["quantize", path, "--tensor-type", "(=int8", "--dry-run"]).status == 64)
    #expect(try CLI.run(["quantize", path, "--preset", "nope", "--dry-run"]).status == 1)
  }
}
