/// Runs model graphs in float32 for live accuracy (see the live-accuracy issue).
public enum Evaluation {}
