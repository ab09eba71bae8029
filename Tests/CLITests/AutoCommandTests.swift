import Foundation
import Testing

@Suite("qscope auto (built binary)")
struct AutoCommandTests {
  func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
  }

  @Test("a size target prints the frontier with the chosen row, and the plan quantizes within the budget")
  func sizeTarget() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let plan = folder + "/plan.json"
    let result = try CLI.run(["auto", path, "--target-size", "45%", "--schemes", "f16,int8,int4", "-o", plan])
    #expect(result.status == 0, "\(result.stderr)")
    let chosen = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("*") })
    #expect(chosen.contains("chosen"))
    #expect(result.stdout.contains("uniform schemes"))
    let text = try String(contentsOfFile: plan, encoding: .utf8)
    #expect(text.contains("\"default\": null"))
    #expect(text.contains("fc1.weight") || text.contains("fc2.weight"))
    let out = folder + "/out.safetensors"
    let written = try CLI.run(["quantize", path, "--plan", plan, "-o", out])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(Double(size(out)) <= Double(size(path)) * 0.45 + 256, "header and alignment slack only")
  }

  @Test("an impossible target exits 1 naming the closest plan and writes nothing")
  func impossibleTarget() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let plan = folder + "/plan.json"
    let tiny = try CLI.run(["auto", path, "--target-size", "100", "-o", plan])
    #expect(tiny.status == 1)
    #expect(tiny.stderr.contains("closest reachable plan is the smallest"))
    #expect(tiny.stderr.contains(path))
    #expect(!FileManager.default.fileExists(atPath: plan))
    let bpw = try CLI.run(["auto", path, "--target-bpw", "0.5", "-o", plan])
    #expect(bpw.status == 1)
    #expect(bpw.stderr.contains("bpw"))
    #expect(!FileManager.default.fileExists(atPath: plan))
  }

  @Test("bad flags are usage errors")
  func usage() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    #expect(try CLI.run(["auto", path, "-o", folder + "/p.json"]).status == 64)
    #expect(try CLI.run(["auto", path, "--target-bpw", "4", "--target-size", "1M", "-o", folder + "/p.json"]).status == 64)
    #expect(try CLI.run(["auto", path, "--target-size", "lots", "-o", folder + "/p.json"]).status == 64)
    #expect(try CLI.run(["auto", path, "--target-bpw", "4"]).status == 64)
    #expect(try CLI.run(["auto", path, "--target-bpw", "4", "--pin", "fc1=int9", "-o", folder + "/p.json"]).status == 64)
  }

  @Test("--format gguf measures ggml types and --export writes a llama-quantize tensor-type file")
  func llamaQuantizeExport() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let types = folder + "/types.txt"
    let result = try CLI.run([
      "auto", path, "--format", "gguf", "--target-bpw", "6", "--schemes", "q4_0,q5_0,q8_0", "--pin", "fc2=q8_0",
      "--export", "llama-quantize", types,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = try String(contentsOfFile: types, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.contains("^fc2\\.weight$=q8_0"))
    let fc1 = try #require(lines.first { $0.hasPrefix("^fc1\\.weight$=") })
    #expect(["q4_0", "q5_0", "q8_0", "f32"].contains(String(fc1.split(separator: "=").last ?? "")))
    // Without ggml types there is nothing llama-quantize could use.
    let refused = try CLI.run(["auto", path, "--target-bpw", "6", "--export", "llama-quantize", folder + "/t2.txt"])
    #expect(refused.status == 1)
    #expect(!FileManager.default.fileExists(atPath: folder + "/t2.txt"))
  }

  @Test("an accuracy above the float model's exits 1 naming it, with no plan")
  func impossibleAccuracy() throws {
    let folder = try Fixture.folder()
    let sample = CLI.packageRoot + "/SampleModels/digits-cnn.tflite"
    let plan = folder + "/plan.json"
    let result = try CLI.run(["auto", sample, "--min-accuracy", "99.9", "-o", plan])
    #expect(result.status == 1)
    #expect(result.stderr.contains("float model itself"))
    #expect(!FileManager.default.fileExists(atPath: plan))
  }
}
