import Foundation
import QuantEngine
import TUIKit
import Workflows

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
