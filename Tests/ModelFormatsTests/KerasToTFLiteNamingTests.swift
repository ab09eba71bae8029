import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Tensor names, buffers and metadata of serialized graphs: the TF converter's conventions.
@Suite struct KerasToTFLiteNamingTests {
  /// x → DEPTHWISE_CONV_2D(w, zero bias) → MUL(bn mul) → ADD(bn sub) → RELU6, with TF-style names.
  func depthwiseBatchNorm() -> ConvertedGraph {
    var g = ConvertedGraph()
    let x = g.activation("serving_default_x:0", shape: [1, 4, 4, 2])
    let w = g.constant("m_1/dw_1/depthwise", shape: [1, 1, 1, 2], floats: [1, 2])
    let b = g.constant("m_1/dw_1/BiasAdd", shape: [2], floats: [0, 0])
    let conv = g.activation("m_1/dw_1/depthwise", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.depthwiseConv2D, [x, w, b], [conv],
             options: ConvertedOps.depthwise(padding: 0, stride: (1, 1), multiplier: 1, dilation: (1, 1)))
    let scale = g.constant("m_1/bn_1/batchnorm/mul", shape: [2], floats: [2, 3])
    let mul = g.activation("m_1/bn_1/batchnorm/mul_1", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.mul, [conv, scale], [mul], options: ConvertedOps.mulOptions())
    let shift = g.constant("m_1/bn_1/batchnorm/sub", shape: [2], floats: [1, 1])
    let add = g.activation("m_1/bn_1/batchnorm/add_1", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.add, [mul, shift], [add], options: ConvertedOps.addOptions())
    let relu = g.activation("m_1/act_1/Relu6", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.relu6, [add], [relu])
    // A second consumer keeps the fused output from being the graph output.
    let out = g.activation("m_1/out_1/Tanh", shape: [1, 4, 4, 2])
    g.append(ConvertedOps.tanh, [relu], [out])
    g.inputs = [("x", x)]
    g.outputs = [("y", out)]
    return g
  }

  func serialized(_ g: ConvertedGraph) throws -> TFLiteFile {
    let bytes = try g.serialize(description: "test")
    return try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "g.tflite"), path: "g.tflite")
  }

  @Test func foldedOpsAreNamedAfterEveryTFOpTheyStandFor() throws {
    var g = depthwiseBatchNorm()
    g.optimize()
    let file = try serialized(g)
    let names = file.subgraphs[0].tensors.map(\.name)
    let fused = "m_1/act_1/Relu6;m_1/bn_1/batchnorm/add_1;m_1/bn_1/batchnorm/mul_1;m_1/dw_1/depthwise;m_1/bn_1/batchnorm/mul;m_1/bn_1/batchnorm/sub"
    #expect(names == [
      "serving_default_x:0",
      "m_1/bn_1/batchnorm/mul_1;m_1/dw_1/depthwise;m_1/bn_1/batchnorm/mul",  // the kernel carries the scale
      fused,  // the bias
      fused + "1",  // the op's output: same list, made unique
      "StatefulPartitionedCall_1:0",
    ])
  }

  @Test func everyTensorHasItsOwnBufferAndTheMetadataIsWritten() throws {
    var g = depthwiseBatchNorm()
    g.optimize()
    let file = try serialized(g)
    let buffers = file.subgraphs[0].tensors.map(\.buffer)
    #expect(Set(buffers).count == buffers.count && !buffers.contains(0))
    #expect(file.metadata.map(\.name) == ["min_runtime_version", "CONVERSION_METADATA"])
    // conversion_metadata.fbs: root → environment table whose model_type (field 2) is KERAS_MODEL = 2.
    let meta = try #require(file.metadataBytes(named: "CONVERSION_METADATA"))
    func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(meta[at + $1]) << (8 * $1) } }
    func i32(_ at: Int) -> Int { Int(Int32(truncatingIfNeeded: u32(at))) }
    func u16(_ at: Int) -> Int { Int(meta[at]) | Int(meta[at + 1]) << 8 }
    let root = u32(0)
    let rootVTable = root - i32(root)
    let environment = root + u16(rootVTable + 4) + u32(root + u16(rootVTable + 4))
    let envVTable = environment - i32(environment)
    #expect(u16(envVTable) >= 10)
    #expect(u32(environment + u16(envVTable + 8)) == 2)
  }

  @Test func identicalConstantsMergeIntoOneArithConstant() throws {
    var g = ConvertedGraph()
    let x = g.activation("x", shape: [1, 3])
    let a = g.constant("m_1/a_1/y", shape: [3], floats: [1, 2, 3])
    let b = g.constant("m_1/b_1/y", shape: [3], floats: [1, 2, 3])
    let first = g.activation("m_1/a_1/Add", shape: [1, 3])
    g.append(ConvertedOps.add, [x, a], [first], options: ConvertedOps.addOptions())
    let second = g.activation("m_1/b_1/Add", shape: [1, 3])
    g.append(ConvertedOps.add, [first, b], [second], options: ConvertedOps.addOptions())
    g.inputs = [("x", x)]
    g.outputs = [("y", second)]
    let file = try serialized(g)
    let sg = file.subgraphs[0]
    #expect(sg.tensors.map(\.name) == ["x", "arith.constant", "m_1/a_1/Add", "StatefulPartitionedCall_1:0"])
    #expect(sg.operators[0].inputs[1] == sg.operators[1].inputs[1])
  }
}
