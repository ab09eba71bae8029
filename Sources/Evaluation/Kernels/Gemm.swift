/// Weights [n, k] (output-major, as FULLY_CONNECTED and CONV_2D store them) repacked as [k, n8]
/// with n rounded up to a multiple of 8, so the kernel reads 8 output columns per vector load.
struct PackedWeights {
  let n: Int
  let k: Int
  let paddedN: Int
  let values: [Float]

  init(rowsOf weights: UnsafeBufferPointer<Float>, n: Int, k: Int) {
    self.n = n; self.k = k
    paddedN = (n + 15) / 16 * 16
    var packed = [Float](repeating: 0, count: paddedN * k)
    let stride = paddedN
    packed.withUnsafeMutableBufferPointer { out in
      for j in 0..<n {
        for kk in 0..<k { out[kk * stride + j] = weights[j * k + kk] }
      }
    }
    values = packed
  }
}

/// C[m, n] = A[m, k] · Wᵀ (+ bias), blocked 4 rows × 16 columns in SIMD8 registers and split over
/// the cores by rows.
enum Gemm {
  static func multiply(
    _ a: UnsafePointer<Float>, rows m: Int, weights: PackedWeights, bias: UnsafePointer<Float>?,
    into c: UnsafeMutablePointer<Float>
  ) {
    let work = m * weights.k * weights.n
    let minimumRows = max(4, 65_536 / max(1, weights.k * weights.n))
    if work < 200_000 {
      rows(a, 0..<m, weights: weights, bias: bias, into: c)
      return
    }
    Parallel.forRanges(m, minimum: minimumRows) { range in rows(a, range, weights: weights, bias: bias, into: c) }
  }

  static func rows(
    _ a: UnsafePointer<Float>, _ range: Range<Int>, weights: PackedWeights, bias: UnsafePointer<Float>?,
    into c: UnsafeMutablePointer<Float>
  ) {
    weights.values.withUnsafeBufferPointer { wb in
      guard let w = wb.baseAddress else { return }
      var row = range.lowerBound
      while row + 4 <= range.upperBound {
        block4(a + row * weights.k, w, weights, bias, c + row * weights.n)
        row += 4
      }
      while row < range.upperBound {
        block1(a + row * weights.k, w, weights, bias, c + row * weights.n)
        row += 1
      }
    }
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  /// Stores the first `count` lanes of `v` (count ≤ 8) plus bias.
  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, bias: UnsafePointer<Float>?) {
    if count >= 8 {
      var r = v
      if let bias { r += load(bias) }
      UnsafeMutableRawPointer(out).storeBytes(of: r, as: SIMD8<Float>.self)
      return
    }
    for i in 0..<max(0, count) { out[i] = v[i] + (bias?[i] ?? 0) }
  }

  static func block4(
    _ a: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ p: PackedWeights, _ bias: UnsafePointer<Float>?,
    _ c: UnsafeMutablePointer<Float>
  ) {
    let k = p.k, n = p.n, stride = p.paddedN
    var j = 0
    while j < n {
      var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
      var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
      var wp = w + j
      for kk in 0..<k {
        let b0 = load(wp), b1 = load(wp + 8)
        let a0 = SIMD8<Float>(repeating: a[kk]), a1 = SIMD8<Float>(repeating: a[k + kk])
        let a2 = SIMD8<Float>(repeating: a[2 * k + kk]), a3 = SIMD8<Float>(repeating: a[3 * k + kk])
        c00 += a0 * b0; c01 += a0 * b1
        c10 += a1 * b0; c11 += a1 * b1
        c20 += a2 * b0; c21 += a2 * b1
        c30 += a3 * b0; c31 += a3 * b1
        wp += stride
      }
      let left = n - j
      let bj = bias.map { $0 + j }
      let bj8 = bias.map { $0 + j + 8 }
      store(c00, c + j, count: left, bias: bj); store(c01, c + j + 8, count: left - 8, bias: bj8)
      store(c10, c + n + j, count: left, bias: bj); store(c11, c + n + j + 8, count: left - 8, bias: bj8)
      store(c20, c + 2 * n + j, count: left, bias: bj); store(c21, c + 2 * n + j + 8, count: left - 8, bias: bj8)
      store(c30, c + 3 * n + j, count: left, bias: bj); store(c31, c + 3 * n + j + 8, count: left - 8, bias: bj8)
      j += 16
    }
  }

  static func block1(
    _ a: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ p: PackedWeights, _ bias: UnsafePointer<Float>?,
    _ c: UnsafeMutablePointer<Float>
  ) {
    let k = p.k, n = p.n, stride = p.paddedN
    var j = 0
    while j < n {
      var c0 = SIMD8<Float>(), c1 = SIMD8<Float>()
      var wp = w + j
      for kk in 0..<k {
        let a0 = SIMD8<Float>(repeating: a[kk])
        c0 += a0 * load(wp); c1 += a0 * load(wp + 8)
        wp += stride
      }
      let left = n - j
      store(c0, c + j, count: left, bias: bias.map { $0 + j })
      store(c1, c + j + 8, count: left - 8, bias: bias.map { $0 + j + 8 })
      j += 16
    }
  }
}
