import Foundation
import QuantEngine
import TUIKit
import Workflows

func reduceSaveKey(_ state: inout AppState, _ dialog: inout SaveDialog, _ chord: KeyChord, keymap: Keymap) -> [Effect] {
  if dialog.progress != nil {
    // While writing only Esc does something: it cancels (the writer removes its temp file).
    if chord.key == .escape { return [.cancelSave] }
    return []
  }
  if let command = keymap.command(for: chord, in: .textInput) {
    guard command == .confirm else {
      state.overlay = .none
      return []
    }
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
    let overwrite = dialog.error?.hasPrefix("exists") == true
    dialog.error = nil
    dialog.progress = 0
    state.overlay = .save(dialog)
    state.lastSavePath = path
    return [.save(path: path, plan: state.plan, overwrite: overwrite)]
  }
  dialog.input.handle(chord)
  dialog.error = nil
  state.overlay = .save(dialog)
  return []
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
  if let error {
    dialog.error = error
    state.overlay = .save(dialog)
    return
  }
  state.overlay = .none
  state.savedPlan = state.plan
  let extra = notes.isEmpty ? "" : " (\(notes.count) note(s): \(notes.joined(separator: "; ")))"
  state.message = Message("saved \(path)\(extra)", .success)
}

func reducePickerKey(_ state: inout AppState, selected: Int, _ chord: KeyChord, keymap: Keymap) -> [Effect] {
  guard let tensor = state.selectedTensor else {
    state.overlay = .none
    return []
  }
  let items = pickerChoices(state, tensor: tensor)
  let command = keymap.command(for: chord, in: .overlay)
  switch command {
  case .moveDown?: state.overlay = .schemePicker(selected: min(items.count - 1, selected + 1))
  case .moveUp?: state.overlay = .schemePicker(selected: max(0, selected - 1))
  case .pageDown?: state.overlay = .schemePicker(selected: min(items.count - 1, selected + 8))
  case .pageUp?: state.overlay = .schemePicker(selected: max(0, selected - 8))
  case .cancel?: state.overlay = .none
  case .confirm?:
    guard items.indices.contains(selected) else { return [] }
    let choice = items[selected]
    if let reason = choice.refusal {
      state.message = Message("\(choice.scheme?.rawValue ?? "keep") is disabled: \(reason)", .warning)
      return []
    }
    state.overlay = .none
    state.changePlan(state.plan(setting: tensor, to: choice.scheme))
    state.message = Message("\(state.model.rows[tensor].name): \(choice.scheme?.rawValue ?? "keep")")
  default:
    break
  }
  return []
}

/// The scheme picker's entries: keep, then every scheme, with the format's refusal if any.
func pickerChoices(_ state: AppState, tensor: Int) -> [(scheme: Scheme?, refusal: String?)] {
  let row = state.model.rows[tensor]
  return [(nil, nil)] + Scheme.allCases.map { ($0, row.refusals[$0]) }
}
