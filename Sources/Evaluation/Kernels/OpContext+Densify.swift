import TensorCore

extension OpContext {
  /// DENSIFY: expands the stored non-zeros of input 0 by its sparsity parameters. A constant
  /// input was expanded when it was loaded (it has the dense shape) and passes through, as does an
  /// input without parameters that fills the output.
  func densify() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    if let sparse = sparseInput, x.shape == sparse.shape, Shape.elementCount(sparse.shape) == x.count { return x }
    guard let sparse = sparseInput, let sparsity = sparse.sparsity else {
      guard let shape = output?.shape, Shape.elementCount(shape) == x.count else {
        throw fail("input 0 has no sparsity parameters and \(x.count) values do not fill the output")
      }
      return EvalTensor(shape: shape, data: x.data)
    }
    do {
      return EvalTensor(shape: sparse.shape, data: try sparsity.densify(x.data, shape: sparse.shape))
    } catch {
      throw fail("sparse tensor '\(sparse.name)': \(error.reason)")
    }
  }
}
