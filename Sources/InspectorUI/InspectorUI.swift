import TUIKit
import Workflows
/// The inspector app: state, actions, reducer, panes.
public enum InspectorUI {}
