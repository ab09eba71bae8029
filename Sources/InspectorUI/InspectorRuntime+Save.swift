import Foundation
import ModelFormats
import Synchronization
import TensorCore
import Workflows

/// A model converted in memory for another output format, with the format that writes it.
struct ConvertedModel: @unchecked Sendable {
  var model: Model
  var format: any ModelFormat.Type
}

extension InspectorRuntime {
  /// Converts the model to `kind` off the UI thread (cached for the save) and posts what that
  /// format can store for each tensor.
  func prepareConversion(_ kind: ModelFormatKind) {
    let source = service.model
    beginWork()
    saveQueue.async { [self] in
      defer { endWork() }
      do {
        let converted = try converted(to: kind)
        let own = ModelSummary(model: source, format: format)
        let other = ModelSummary(model: converted.model, format: converted.format)
        post(.conversionPrepared(kind, .success(own.facts(matching: other))))
      } catch {
        post(.conversionPrepared(kind, .failure(.failed(String(describing: error)))))
      }
    }
  }

  /// The model converted to `kind`, converting it now when it was not yet.
  func converted(to kind: ModelFormatKind) throws(WorkflowError) -> ConvertedModel {
    if let cached = convertedModels.withLock({ $0[kind] }) { return cached }
    let result = try ModelConversion.convert(service.model, to: kind)
    let converted = ConvertedModel(model: result.model, format: result.format)
    convertedModels.withLock { $0[kind] = converted }
    return converted
  }

  /// Writes `request` on the save queue: converts first when the output format is not the
  /// model's, applies the plan or the preset, reports progress and the outcome. The plan in the
  /// state is never touched; a failure leaves no partial file (the writers write atomically).
  func startSave(_ request: SaveRequest) {
    let token = CancellationToken()
    saveToken = token
    let source = (model: service.model, format: format)
    running.add(1, ordering: .relaxed)
    saveQueue.async { [self] in
      defer { running.subtract(1, ordering: .relaxed) }
      let path = request.path
      let outputs = request.keepSplit ? GGUFFormat.outputPaths(for: source.model, output: path, keepSplit: true) : [path]
      if !request.overwrite && outputs.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
        post(.saveFinished(path: path, error: "exists: press Enter again to overwrite it", notes: []))
        return
      }
      do {
        var target = ConvertedModel(model: source.model, format: source.format)
        if request.format != source.model.format {
          post(.saveStage("converting \(source.model.format.rawValue) → \(request.format.rawValue)…"))
          target = try converted(to: request.format)
          if token.isCancelled { throw WorkflowError.cancelled }
        }
        let job: QuantizeJob
        if let preset = request.preset {
          let presetPlan = try Presets.plan(preset, model: target.model)
          job = QuantizeJob(model: target.model, format: target.format, requests: presetPlan.requests)
        } else {
          job = QuantizeJob(model: target.model, format: target.format, plan: request.plan)
        }
        post(.saveStage("writing \(request.format.rawValue)…"))
        var options = WriteOptions(overwrite: request.overwrite, progress: throttledProgress(), cancellation: token)
        options.presetName = request.preset
        options.keepSplit = request.keepSplit
        let notes = try job.save(to: path, options: options)
        post(.saveFinished(path: path, error: nil, notes: notes))
      } catch {
        post(.saveFinished(path: path, error: token.isCancelled ? "cancelled; nothing was written" : "\(error)", notes: []))
      }
    }
  }

  /// A progress callback that posts at most every 2%.
  func throttledProgress() -> @Sendable (ProgressUpdate) -> Void {
    let last = Mutex<Double>(-1)
    return { [self] update in
      let fraction = update.fraction
      let send = last.withLock { value -> Bool in
        guard fraction - value >= 0.02 || fraction >= 1 else { return false }
        value = fraction
        return true
      }
      if send { post(.saveProgress(fraction)) }
    }
  }
}
