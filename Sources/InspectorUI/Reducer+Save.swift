import Foundation
import ModelFormats
import TensorCore
import TUIKit
import Workflows

/// Keys of the save dialog. ↑/↓ (or Tab) move between the path, the output format, what to
/// write and (for a split GGUF) one file or the same shards; on the choice rows ←/→ or Space choose; Enter saves from any row; Esc closes. While
/// writing only Esc does something: it cancels (the writer removes its temp file).
func reduceSaveKey(_ state: inout AppState, _ dialog: inout SaveDialog, _ chord: KeyChord, keymap: Keymap) -> [Effect] {
  if dialog.progress != nil {
    if chord.key == .escape { return [.cancelSave] }
    return []
  }
  if let command = keymap.command(for: chord, in: .textInput) {
    guard command == .confirm else {
      state.overlay = .none
      return []
    }
    return confirmSave(&state, &dialog)
  }
  let fields = SaveDialog.fields(format: dialog.format, shardCount: state.model.shardCount)
  let position = fields.firstIndex(of: dialog.field) ?? 0
  switch chord.key {
  case .down, .tab:
    dialog.field = fields[(position + 1) % fields.count]
    state.overlay = .save(dialog)
    return []
  case .up, .backTab:
    dialog.field = fields[(position + fields.count - 1) % fields.count]
    state.overlay = .save(dialog)
    return []
  default:
    break
  }
  if dialog.field != .path {
    let step: Int
    switch chord.key {
    case .right, .char(" "), .char("l"): step = 1
    case .left, .char("h"): step = -1
    default: return []
    }
    var effects: [Effect] = []
    if dialog.field == .shards {
      dialog.keepSplit.toggle()
    } else if dialog.field == .format {
      let formats = state.outputFormats
      let index = ((formats.firstIndex(of: dialog.format) ?? 0) + step + formats.count) % formats.count
      effects = choose(&state, &dialog, format: formats[index])
    } else {
      let contents = SaveDialog.contents(for: dialog.format)
      let index = ((contents.firstIndex(of: dialog.preset) ?? 0) + step + contents.count) % contents.count
      dialog.preset = contents[index]
    }
    dialog.error = nil
    state.overlay = .save(dialog)
    return effects
  }
  dialog.input.handle(chord)
  dialog.error = nil
  state.overlay = .save(dialog)
  return []
}

/// Switches the dialog (and the schemes offered) to `format`; the path's extension follows.
func choose(_ state: inout AppState, _ dialog: inout SaveDialog, format: ModelFormatKind) -> [Effect] {
  guard format != dialog.format else { return [] }
  dialog.input = TextInputState(outputPath(dialog.input.text, format: format))
  dialog.format = format
  if !SaveDialog.contents(for: format).contains(dialog.preset) { dialog.preset = nil }
  if !SaveDialog.fields(format: format, shardCount: state.model.shardCount).contains(dialog.field) { dialog.field = .format }
  return state.setOutputFormat(format)
}

/// `path` with the extension of `format` when its extension names another format.
func outputPath(_ path: String, format: ModelFormatKind) -> String {
  guard let current = ModelConversion.formatKind(ofOutput: path), current != format,
    let ext = FormatRegistry.format(for: format)?.fileExtensions.first
  else { return path }
  let url = URL(fileURLWithPath: path)
  let stem = path.hasPrefix("/") ? url.deletingPathExtension().path : String(path.dropLast(url.pathExtension.count + 1))
  return stem + "." + ext
}

func confirmSave(_ state: inout AppState, _ dialog: inout SaveDialog) -> [Effect] {
  let path = dialog.input.text.trimmingCharacters(in: .whitespaces)
  guard !path.isEmpty else {
    dialog.error = "enter an output path"
    state.overlay = .save(dialog)
    return []
  }
  if sameFile(path, state.model.path) {
    dialog.error = "that is the input file; qscope never overwrites it"
    state.overlay = .save(dialog)
    return []
  }
  // An extension naming another format picks that format, as `qscope quantize -o` does.
  var effects: [Effect] = []
  if let named = ModelConversion.formatKind(ofOutput: path), named != dialog.format {
    guard state.outputFormats.contains(named) else {
      let offered = state.outputFormats.map(\.rawValue).joined(separator: ", ")
      dialog.error = "cannot write .\(URL(fileURLWithPath: path).pathExtension) from a \(state.model.format.rawValue) model (formats: \(offered))"
      state.overlay = .save(dialog)
      return []
    }
    effects = choose(&state, &dialog, format: named)
    dialog.input = TextInputState(path)
  }
  let overwrite = dialog.error?.hasPrefix("exists") == true
  dialog.error = nil
  dialog.progress = 0
  dialog.stage = nil
  state.overlay = .save(dialog)
  state.lastSavePath = path
  let keepSplit = dialog.writesShards(shardCount: state.model.shardCount)
  return effects + [
    .save(SaveRequest(path: path, plan: state.plan, overwrite: overwrite, format: dialog.format, preset: dialog.preset, keepSplit: keepSplit))
  ]
}

func sameFile(_ a: String, _ b: String) -> Bool {
  URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
    == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
}

func reduceSaveFinished(_ state: inout AppState, path: String, error: String?, notes: [String]) {
  guard case .save(var dialog) = state.overlay else {
    state.message = error.map { Message("save failed: \($0)", .error) } ?? Message("saved \(path)", .success)
    return
  }
  dialog.progress = nil
  dialog.stage = nil
  if let error {
    // The dialog stays open with the reason; the plan is untouched.
    dialog.error = error
    state.overlay = .save(dialog)
    return
  }
  state.overlay = .none
  // A preset was written, not the plan: the plan still counts as unsaved.
  if dialog.preset == nil { state.savedPlan = state.plan }
  let what = dialog.preset.map { " with preset \($0); the plan is unchanged" } ?? ""
  let extra = notes.isEmpty ? "" : " (\(notes.count) note(s): \(notes.joined(separator: "; ")))"
  var saved = path
  if dialog.writesShards(shardCount: state.model.shardCount) {
    let shards = GGUFFormat.keepSplitPaths(output: path, count: state.model.shardCount)
    saved = "\(shards.first ?? path) … (\(shards.count) shards)"
  }
  state.message = Message("saved \(saved)\(what)\(extra)", .success)
}
