/// Where Keras 3 puts the int8 scales of one kernel: which axes the abs-max runs over, and the
/// shape and element order of the stored `kernel_scale` / `embeddings_scale` variable.
struct KerasInt8Layout: Sendable, Equatable {
  /// Kernel axes the abs-max reduces (the contracted, input-side axes).
  var reducedAxes: [Int]
  /// Kept kernel axes, outermost first in the order the stored scale's elements run.
  var channelAxes: [Int]
  /// Shape of the stored scale variable.
  var scaleShape: [Int]

  /// Why a layout cannot be derived.
  struct Refusal: Error, Sendable { var reason: String }

  /// Dense: kernel `(in, out)`, one scale per output column, stored `(out,)`.
  static func dense(kernelShape shape: [Int]) -> KerasInt8Layout {
    KerasInt8Layout(reducedAxes: [0], channelAxes: [1], scaleShape: [shape.count > 1 ? shape[1] : 1])
  }

  /// Embedding: table `(vocab, dim)`, one scale per row, stored `(vocab,)`.
  static func embedding(tableShape shape: [Int]) -> KerasInt8Layout {
    KerasInt8Layout(reducedAxes: [1], channelAxes: [0], scaleShape: [shape.first ?? 1])
  }

  /// EinsumDense: derived from the equation the way Keras 3 derives it (`_analyze_quantization_info`):
  /// weight axes whose label is not in the output are reduced; the kept-dims scale is transposed so
  /// its axes follow the output's label order (reduced axes slotted into output positions the kernel
  /// lacks), then size-1 axes are inserted at the remaining such positions. So `abc,cd->abd` on a
  /// `(c, d)` kernel stores `(1, 1, d)`, and `abc,cde->abde` stores `(1, 1, d, e)`.
  static func einsum(_ equation: String, kernelShape: [Int]) throws(Refusal) -> KerasInt8Layout {
    let compact = equation.filter { $0 != " " }
    if compact.contains(".") {
      // Keras 3.15 passes the input rank where its helper expects a shape, so quantize() fails there.
      throw Refusal(reason: "Keras cannot quantize an EinsumDense whose equation uses '...' ('\(equation)'); its own quantize() fails on it")
    }
    let sides = compact.components(separatedBy: "->")
    let operands = sides.first?.split(separator: ",", omittingEmptySubsequences: false) ?? []
    guard sides.count == 2, operands.count == 2 else {
      throw Refusal(reason: "unrecognised EinsumDense equation '\(equation)'")
    }
    let weight = Array(operands[1]), output = Array(sides[1])
    for spec in [Array(operands[0]), weight, output] {
      guard !spec.isEmpty, spec.allSatisfy({ $0.isASCII && $0.isLetter }), Set(spec).count == spec.count else {
        throw Refusal(reason: "unrecognised EinsumDense equation '\(equation)'")
      }
    }
    guard weight.count == kernelShape.count else {
      throw Refusal(reason: "equation '\(equation)' names \(weight.count) kernel axes, the kernel has \(kernelShape.count)")
    }
    let reduced = weight.indices.filter { !output.contains(weight[$0]) }
    var expand = output.indices.filter { !weight.contains(output[$0]) }
    var transpose = output.compactMap { weight.firstIndex(of: $0) }
    for axis in reduced {
      guard !expand.isEmpty else {
        throw Refusal(reason: "equation '\(equation)' reduces more kernel axes than the output adds; QuantScope does not write Keras' squeezed scale layout for it")
      }
      let position = expand.removeFirst()
      transpose.insert(axis, at: min(position, transpose.count))
    }
    var kept = kernelShape
    for axis in reduced { kept[axis] = 1 }
    var scaleShape = transpose.map { kept[$0] }
    for position in expand.sorted() { scaleShape.insert(1, at: min(position, scaleShape.count)) }
    return KerasInt8Layout(reducedAxes: reduced, channelAxes: transpose.filter { !reduced.contains($0) }, scaleShape: scaleShape)
  }

  /// For every kernel axis, how far one step along it moves in the scale array (0 for reduced axes).
  func channelStrides(kernelShape shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: shape.count)
    var step = 1
    for axis in channelAxes.reversed() where axis < shape.count {
      strides[axis] = step
      step *= shape[axis]
    }
    return strides
  }
}
