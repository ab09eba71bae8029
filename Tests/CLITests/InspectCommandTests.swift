import Foundation
import Testing

@Suite("qscope inspect (built binary)")
struct InspectCommandTests {
  @Test("json output has the contract's keys and exact statistics")
  func json() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let result = try CLI.run(["inspect", path, "--format", "json", "--scheme", "int8", "--bins", "16"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["format"] as? String == "safetensors")
    #expect(root["file"] as? String == path)
    #expect(root["file_bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
    let tensors = try #require(root["tensors"] as? [[String: Any]])
    #expect(tensors.map { $0["name"] as? String } == ["fc1.weight", "fc1.bias", "norm.weight", "fc2.weight", "fc2.bias"])
    let norm = try #require(tensors.first { $0["name"] as? String == "norm.weight" })
    let normStats = try #require(norm["stats"] as? [String: Any])
    #expect(normStats["min"] as? Double == 1 && normStats["max"] as? Double == 1 && normStats["std"] as? Double == 0)
    #expect(norm["quant"] == nil, "1-D norm weights are not quantizable")
    let fc1 = try #require(tensors.first { $0["name"] as? String == "fc1.weight" })
    #expect(fc1["shape"] as? [Int] == [32, 64])
    #expect(fc1["elements"] as? Int == 2048 && fc1["bytes"] as? Int == 8192)
    let quant = try #require(fc1["quant"] as? [String: Any])
    #expect(quant["scheme"] as? String == "int8")
    #expect(quant["bytes"] as? Int == 2048 + 32 * 4, "one byte per weight plus a float32 scale per output channel")
    let sqnr = try #require(quant["sqnr_db"] as? Double)
    #expect(sqnr > 35 && sqnr < 60)
    let histogram = try #require(fc1["histogram"] as? [String: Any])
    #expect((histogram["counts"] as? [Int])?.reduce(0, +) == 2048)
    #expect((histogram["counts"] as? [Int])?.count == 16)
    let totals = try #require(root["totals"] as? [String: Any])
    #expect(totals["elements"] as? Int == 2048 + 32 + 32 + 320 + 10)
    #expect(totals["bytes"] as? Int == (2048 + 32 + 32 + 320 + 10) * 4)
    #expect(totals["quantized_bytes"] as? Int == (2048 + 32 * 4) + 32 * 4 + 32 * 4 + (320 + 40) + 40)
  }

  @Test("table, csv and markdown name every tensor", arguments: ["table", "csv", "markdown"])
  func textFormats(format: String) throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(), to: folder, name: "mlp.safetensors")
    let result = try CLI.run(["inspect", path, "--format", format, "--scheme", "q8_0"])
    #expect(result.status == 0, "\(result.stderr)")
    for name in ["fc1.weight", "fc1.bias", "norm.weight", "fc2.weight", "fc2.bias"] {
      #expect(result.stdout.contains(name))
    }
    if format == "csv" { #expect(result.stdout.hasPrefix("name,layer,op,shape,dtype,elements,bytes,")) }
    if format == "markdown" { #expect(result.stdout.hasPrefix("| name | layer |")) }
  }

  @Test("NaN weights are counted, reported and never crash")
  func nanWeights() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(Fixture.mlp(nan: true), to: folder, name: "nan.safetensors")
    let result = try CLI.run(["inspect", path, "--format", "json", "--scheme", "int4"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let fc1 = try #require((root["tensors"] as? [[String: Any]])?.first)
    #expect((fc1["stats"] as? [String: Any])?["nonfinite"] as? Int == 1)
    #expect(((fc1["quant"] as? [String: Any])?["error"] as? String)?.contains("NaN") == true)
  }

  @Test("a broken file gives one line naming it and exit 1")
  func badFile() throws {
    let folder = try Fixture.folder()
    var data = Fixture.mlp()
    data = data.prefix(data.count - 10)
    let path = Fixture.write(data, to: folder, name: "cut.safetensors")
    let result = try CLI.run(["inspect", path])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains(path))
  }

  @Test("missing files and unknown formats exit 1 with the path")
  func missing() throws {
    let result = try CLI.run(["inspect", "/nonexistent/model.safetensors"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("/nonexistent/model.safetensors"))
    let folder = try Fixture.folder()
    let junk = Fixture.write(Data("hello world, not a model".utf8), to: folder, name: "junk.bin")
    let second = try CLI.run(["inspect", junk])
    #expect(second.status == 1)
    #expect(second.stderr.contains("junk.bin"))
  }

  @Test("bad flags are usage errors (exit 64)")
  func badFlags() throws {
    #expect(try CLI.run(["inspect"]).status == 64)
    #expect(try CLI.run(["inspect", "x", "--scheme", "int7"]).status == 64)
    #expect(try CLI.run(["inspect", "x", "--format", "yaml"]).status == 64)
    #expect(try CLI.run(["inspect", "x", "--bins", "0"]).status == 64)
  }
}

@Suite("qscope inspect on the bundled samples")
struct InspectSampleTests {
  @Test("a Keras model lists its layers in model order with config facts")
  func kerasLayers() throws {
    let path = CLI.packageRoot + "/SampleModels/digits-mlp.keras"
    let result = try CLI.run(["inspect", path, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["format"] as? String == "keras")
    let layers = try #require(root["layers"] as? [[String: Any]])
    let dense = layers.filter { $0["kind"] as? String == "Dense" }
    #expect(dense.map { $0["name"] as? String } == ["fc1", "fc2", "fc3"])
    #expect((dense.first?["details"] as? [String])?.contains("units=128") == true)
    #expect((dense.first?["tensors"] as? [String]) == ["fc1/kernel", "fc1/bias"])
    let table = try CLI.run(["inspect", path])
    #expect(table.stdout.contains("fc1") && table.stdout.contains("units=128"))
  }

  @Test("every bundled sample opens and reports totals", arguments: [
    "digits-mlp.tflite", "digits-cnn.tflite", "digits-mlp.safetensors", "digits-cnn.safetensors",
    "digits-mlp.keras", "digits-cnn.keras", "digits-mlp.h5", "digits-cnn.h5", "minilm-sample.gguf",
  ])
  func samples(name: String) throws {
    let result = try CLI.run(["inspect", CLI.packageRoot + "/SampleModels/" + name, "--scheme", "int8", "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let totals = try #require(root["totals"] as? [String: Any])
    #expect((totals["elements"] as? Int ?? 0) > 10_000)
  }
}
