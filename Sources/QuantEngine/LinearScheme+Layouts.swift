/// Per-channel and per-group drivers.
extension LinearScheme {
  static func perChannel(
    _ x: UnsafePointer<Float>, _ split: ChannelSplit, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    let (outer, channels, inner) = (split.outer, split.channels, split.inner)
    let total = outer * channels * inner
    var outcome = LinearOutcome(scales: [Float](repeating: 0, count: channels))
    var e2 = [Double](repeating: 0, count: channels)
    if inner < 8 && outer > 1 {
      try interleavedChannels(x, split, range, q: q, xhat: xhat, outcome: &outcome, e2: &e2)
    } else if outer == 1 {
      // Each channel is one contiguous span: find its scale and quantize it while it is in cache.
      let parts = min(channels, ParallelSplit.parts(for: total, threshold: ParallelRuns.linearThreshold))
      if parts <= 1 {
        // A piece only knows its own channels; report non-finite values over the whole tensor.
        guard let piece = try? contiguousChannels(x, 0..<channels, inner: inner, range: range, q: q, xhat: xhat) else {
          throw nonFiniteError(x, total)
        }
        outcome.sums = piece.sums; outcome.scales = piece.scales; e2 = piece.e2
      } else {
        let addresses = Addresses(x, q, xhat)
        let pieces = ParallelRuns.map(parts) { part -> ChannelPiece? in
          let (c0, c1) = ParallelSplit.range(part, of: parts, count: channels)
          guard let input = addresses.input else { return nil }
          return try? contiguousChannels(
            input, c0..<c1, inner: inner, range: range, q: addresses.integers, xhat: addresses.reconstruction)
        }
        guard pieces.count == parts else { throw nonFiniteError(x, total) }
        outcome.scales = []; e2 = []
        for case let piece? in pieces {
          outcome.sums.merge(piece.sums); outcome.scales += piece.scales; e2 += piece.e2
        }
        guard outcome.scales.count == channels else { throw nonFiniteError(x, total) }
      }
    } else {
      var amax = [Float](repeating: 0, count: channels)
      for o in 0..<outer {
        for c in 0..<channels {
          let m = try checkedAbsMax(x + (o * channels + c) * inner, inner, whole: x, wholeCount: total)
          if m > amax[c] { amax[c] = m }
        }
      }
      for c in 0..<channels { outcome.scales[c] = amax[c] / range.qmax }
      for o in 0..<outer {
        for c in 0..<channels {
          let base = (o * channels + c) * inner
          e2[c] += LinearKernel.symmetric(
            x + base, count: inner, amax: amax[c], scale: outcome.scales[c], qmax: range.qmax, q: q.map { $0 + base },
            xhat: xhat.map { $0 + base }, sums: &outcome.sums)
        }
      }
    }
    outcome.rmseOverScale = meanRMSEOverScale(e2: e2, scales: outcome.scales, perGroupCount: outer * inner)
    return outcome
  }

  /// The result of quantizing a run of contiguous channels.
  struct ChannelPiece: Sendable {
    var sums = ErrorSums()
    var scales: [Float] = []
    var e2: [Double] = []
  }

  /// Channels `channelRange` of a tensor whose channels are contiguous spans of `inner` values.
  static func contiguousChannels(
    _ x: UnsafePointer<Float>, _ channelRange: Range<Int>, inner: Int, range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> ChannelPiece {
    var piece = ChannelPiece()
    for c in channelRange {
      let base = c * inner
      let amax = try checkedAbsMax(x + base, inner, whole: x + base, wholeCount: inner)
      let scale = amax / range.qmax
      piece.scales.append(scale)
      piece.e2.append(LinearKernel.symmetric(
        x + base, count: inner, amax: amax, scale: scale, qmax: range.qmax, q: q.map { $0 + base },
        xhat: xhat.map { $0 + base }, sums: &piece.sums))
    }
    return piece
  }

  /// Channels interleaved with a short inner stride (e.g. a channel-last axis): treat each row of
  /// `channels × inner` values with a per-position scale vector.
  static func interleavedChannels(
    _ x: UnsafePointer<Float>, _ split: ChannelSplit, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?,
    outcome: inout LinearOutcome, e2: inout [Double]
  ) throws(QuantError) {
    let (outer, channels, inner) = (split.outer, split.channels, split.inner)
    let rowLength = channels * inner
    let total = outer * rowLength
    var positionMax = [Float](repeating: 0, count: rowLength)
    var bad = false
    positionMax.withUnsafeMutableBufferPointer { m in
      guard let mp = m.baseAddress else { return }
      for o in 0..<outer {
        let row = x + o * rowLength
        var i = 0
        while i + 8 <= rowLength {
          let bits = magnitudeBits(loadF8(row, i))
          if any(bits .>= I8x8(repeating: 0x7F80_0000)) { bad = true }
          let a = unsafeBitCast(bits, to: F8.self)
          var current = loadF8(UnsafePointer(mp), i)
          current.replace(with: a, where: a .> current)
          storeF8(current, mp, i)
          i += 8
        }
        while i < rowLength {
          let a = abs(row[i])
          if !a.isFinite { bad = true }
          if a > mp[i] { mp[i] = a }
          i += 1
        }
      }
    }
    if bad { throw nonFiniteError(x, total) }
    for c in 0..<channels {
      var m: Float = 0
      for k in 0..<inner { m = max(m, positionMax[c * inner + k]) }
      outcome.scales[c] = m / range.qmax
    }
    var scales = [Float](repeating: 0, count: rowLength)
    var inverses = [Float](repeating: 0, count: rowLength)
    for p in 0..<rowLength {
      scales[p] = outcome.scales[p / inner]
      inverses[p] = LinearReference.inverse(of: scales[p])
    }
    var positionE2 = [Float](repeating: 0, count: rowLength)
    var positionTotal = [Double](repeating: 0, count: rowLength)
    scales.withUnsafeBufferPointer { s in
      inverses.withUnsafeBufferPointer { d in
        positionE2.withUnsafeMutableBufferPointer { pe in
          guard let sp = s.baseAddress, let dp = d.baseAddress, let pp = pe.baseAddress else { return }
          for o in 0..<outer {
            let base = o * rowLength
            LinearKernel.positions(
              x + base, count: rowLength, scales: sp, inverses: dp, range: range, q: q.map { $0 + base },
              xhat: xhat.map { $0 + base }, positionE2: pp, sums: &outcome.sums)
            // Fold the Float per-position sums into Double before they lose precision.
            if o % 256 == 255 || o == outer - 1 {
              for p in 0..<rowLength { positionTotal[p] += Double(pp[p]); pp[p] = 0 }
            }
          }
        }
      }
    }
    for p in 0..<rowLength { e2[p / inner] += positionTotal[p] }
  }

  static func perGroup(
    _ x: UnsafePointer<Float>, _ layout: TensorLayout, _ size: Int, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    let parts = min(layout.rows, ParallelSplit.parts(for: layout.count, threshold: ParallelRuns.linearThreshold))
    let pieces: [GroupPiece]
    if parts <= 1 {
      guard let piece = try? groupRows(x, 0..<layout.rows, layout, size, range, q: q, xhat: xhat) else {
        throw nonFiniteError(x, layout.count)
      }
      pieces = [piece]
    } else {
      let addresses = Addresses(x, q, xhat)
      let optional = ParallelRuns.map(parts) { part -> GroupPiece? in
        let (r0, r1) = ParallelSplit.range(part, of: parts, count: layout.rows)
        guard let input = addresses.input else { return nil }
        return try? groupRows(input, r0..<r1, layout, size, range, q: addresses.integers, xhat: addresses.reconstruction)
      }
      pieces = optional.compactMap { $0 }
      guard pieces.count == parts else { throw nonFiniteError(x, layout.count) }
    }
    var outcome = LinearOutcome()
    var ratioTotal = 0.0, used = 0
    for piece in pieces {
      outcome.sums.merge(piece.sums); outcome.scales += piece.scales
      ratioTotal += piece.ratioTotal; used += piece.used
    }
    outcome.rmseOverScale = used == 0 ? 0 : ratioTotal / Double(used)
    return outcome
  }

  struct GroupPiece: Sendable {
    var sums = ErrorSums()
    var scales: [Float] = []
    var ratioTotal = 0.0
    var used = 0
  }

  /// Rows `rowRange`, group by group: scale from the group's max|x|, then quantize it in cache.
  static func groupRows(
    _ x: UnsafePointer<Float>, _ rowRange: Range<Int>, _ layout: TensorLayout, _ size: Int,
    _ range: LinearKernel.Range, q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> GroupPiece {
    let groups = layout.groupsPerRow(size: size)
    var piece = GroupPiece()
    piece.scales.reserveCapacity(rowRange.count * groups)
    for row in rowRange {
      for g in 0..<groups {
        let base = row * layout.rowLength + g * size
        let n = min(size, layout.rowLength - g * size)
        let amax = try checkedAbsMax(x + base, n, whole: x + base, wholeCount: n)
        let scale = amax / range.qmax
        piece.scales.append(scale)
        let e2 = LinearKernel.symmetric(
          x + base, count: n, amax: amax, scale: scale, qmax: range.qmax, q: q.map { $0 + base },
          xhat: xhat.map { $0 + base }, sums: &piece.sums)
        if scale != 0 {
          piece.ratioTotal += (e2 / Double(n)).squareRoot() / Double(scale)
          piece.used += 1
        }
      }
    }
    return piece
  }
}
