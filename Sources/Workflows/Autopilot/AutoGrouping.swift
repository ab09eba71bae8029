import Foundation
import ModelFormats
import TensorCore

/// Tensors the solver must give one scheme: from a regular expression, or recognised by name for
/// loaders that fuse projections when they load a checkpoint.
///
/// When grouping is needed: vLLM (and SGLang, TGI, which follow its layout) loads Hugging Face
/// checkpoints by stacking `q_proj`/`k_proj`/`v_proj` (BERT: `query`/`key`/`value`) into one
/// `qkv_proj` matrix and `gate_proj`/`up_proj` (Mixtral experts: `w1`/`w3`) into `gate_up_proj`;
/// one fused matrix has one quantization scheme, and such loaders refuse a checkpoint whose shards
/// differ. llama.cpp loads `attn_q`, `attn_k` and `attn_v` (and `ffn_gate`/`ffn_up`) of a GGUF as
/// separate tensors — its own mixtures give `attn_v` more bits than `attn_q` — and LiteRT runs
/// each TFLite weight in its own op, so neither needs groups. Hence ``Mode/automatic``: fused
/// groups for safetensors plans, none for GGUF and TFLite.
public enum AutoGrouping {
  /// How `qscope auto --group` chooses groups.
  public enum Mode: Sendable, Equatable {
    /// ``fused`` where the target format's usual loader fuses projections, else nothing.
    case automatic
    /// No groups.
    case none
    /// q/k/v of every attention block (GGUF and Hugging Face names), whatever the format.
    case qkv
    /// q/k/v and gate/up: every set that vLLM-style loaders fuse, whatever the format.
    case fused
    /// Tensors matching the pattern, grouped by its capture groups' text.
    case pattern(String)

    /// Parses one `--group` value: auto, none, qkv, fused, or a regular expression.
    public init(argument: String) {
      switch argument.lowercased() {
      case "auto": self = .automatic
      case "none": self = .none
      case "qkv": self = .qkv
      case "fused": self = .fused
      default: self = .pattern(argument)
      }
    }
  }

  /// Whether plans for `format` need the fused groups by default.
  public static func loaderFusesProjections(_ format: ModelFormatKind) -> Bool { format == .safetensors }

  /// The groups for every mode given (overlapping groups are merged, so `auto` and a pattern may
  /// be combined), over the tensor `names` the solver may change.
  public static func groups(
    modes: [Mode], names: [String], targetFormat: ModelFormatKind
  ) throws(WorkflowError) -> [[String]] {
    var result: [[String]] = []
    for mode in modes {
      switch mode {
      case .none: continue
      case .automatic: if loaderFusesProjections(targetFormat) { result += fused(names, gateUp: true) }
      case .qkv: result += fused(names, gateUp: false)
      case .fused: result += fused(names, gateUp: true)
      case let .pattern(pattern): result += try groups(pattern: pattern, names: names)
      }
    }
    return merged(result)
  }

  /// Tensors whose name matches `pattern` are grouped by the text of the pattern's capture
  /// groups: `blk\.(\d+)\.attn_[qkv]\.weight` puts q, k and v of each block together. Without
  /// capture groups, all matching tensors form one group.
  public static func groups(pattern: String, names: [String]) throws(WorkflowError) -> [[String]] {
    let regex: NSRegularExpression
    do { regex = try NSRegularExpression(pattern: pattern) } catch {
      throw .badOption("--group '\(pattern)' is not a valid regular expression")
    }
    var order: [String] = []
    var byKey: [String: [String]] = [:]
    for name in names {
      let range = NSRange(name.startIndex..., in: name)
      guard let match = regex.firstMatch(in: name, range: range) else { continue }
      var parts: [String] = []
      for g in stride(from: 1, to: match.numberOfRanges, by: 1) {
        let r = match.range(at: g)
        parts.append(r.location == NSNotFound ? "" : (Range(r, in: name).map { String(name[$0]) } ?? ""))
      }
      let key = parts.joined(separator: "\u{1F}")
      if byKey[key] == nil { order.append(key) }
      byKey[key, default: []].append(name)
    }
    return order.compactMap { byKey[$0] }.filter { $0.count > 1 }
  }

  /// Name families a fusing loader stacks: each regex captures (prefix, member, suffix); tensors
  /// with the same family, prefix and suffix form a group when at least two members are present.
  static let attentionFamilies = [
    #"^(.*\bblk\.\d+)\.attn_(q|k|v)(\..+)$"#,            // GGUF / llama.cpp
    #"^(.*)\.(q_proj|k_proj|v_proj)(\..+)$"#,            // Llama, Mistral, Qwen, …
    #"^(.*\.attention\.self)\.(query|key|value)(\..+)$"#, // BERT and its relatives
  ]
  static let gateUpFamilies = [
    #"^(.*\bblk\.\d+)\.ffn_(gate|up)((?:_exps)?\..+)$"#,
    #"^(.*)\.(gate_proj|up_proj)(\..+)$"#,
    #"^(.*\.experts\.\d+)\.(w1|w3)(\..+)$"#,             // Mixtral's expert MLPs
  ]

  static func fused(_ names: [String], gateUp: Bool) -> [[String]] {
    let families = attentionFamilies + (gateUp ? gateUpFamilies : [])
    var result: [[String]] = []
    for (f, pattern) in families.enumerated() {
      guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
      var order: [String] = []
      var byKey: [String: [(member: String, name: String)]] = [:]
      for name in names {
        guard let match = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)),
          match.numberOfRanges == 4,
          let prefix = Range(match.range(at: 1), in: name), let member = Range(match.range(at: 2), in: name),
          let suffix = Range(match.range(at: 3), in: name)
        else { continue }
        let key = "\(f)\u{1F}\(name[prefix])\u{1F}\(name[suffix])"
        if byKey[key] == nil { order.append(key) }
        byKey[key, default: []].append((String(name[member]), name))
      }
      for key in order {
        guard let members = byKey[key], Set(members.map(\.member)).count > 1 else { continue }
        result.append(members.map(\.name))
      }
    }
    return result
  }

  /// Unions groups that share a tensor, keeping first-seen order.
  static func merged(_ groups: [[String]]) -> [[String]] {
    var result: [[String]] = []
    var owner: [String: Int] = [:]
    for group in groups {
      let touching = Set(group.compactMap { owner[$0] }).sorted()
      guard let target = touching.first else {
        var fresh: [String] = []
        for name in group where owner[name] == nil { owner[name] = result.count; fresh.append(name) }
        result.append(fresh)
        continue
      }
      for other in touching.dropFirst().reversed() {
        for name in result[other] { owner[name] = target }
        result[target] += result[other]
        result[other] = []
      }
      for name in group where owner[name] == nil {
        owner[name] = target
        result[target].append(name)
      }
    }
    return result.filter { $0.count > 1 }
  }
}

extension AutoGrouping {
  /// `groups` plus the groups a format's writer re-encodes only all together (an LSTM's weights,
  /// by tensor name): the solver must give those one scheme, or the plan it reports would not be
  /// the file written. Only groups whose members are all in `names` (the tensors the solver may
  /// change) are added.
  public static func adding(joint: [[String]], to groups: [[String]], names: [String]) -> [[String]] {
    let known = Set(names)
    let extra = joint.filter { $0.count > 1 && $0.allSatisfy(known.contains) }
    return extra.isEmpty ? groups : merged(groups + extra)
  }

  /// The joint groups of `format` for `model`, by tensor name, each name once (a converted
  /// Keras LSTM's four gate matrices share their kernel's name).
  public static func jointNames(_ format: any ModelFormat.Type, model: Model) -> [[String]] {
    format.jointGroups(in: model).map { group in
      var seen = Set<String>()
      return group.members.compactMap { $0 >= 0 && $0 < model.tensors.count ? model.tensors[$0].name : nil }
        .filter { seen.insert($0).inserted }
    }
  }
}
