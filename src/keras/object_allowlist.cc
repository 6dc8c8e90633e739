#include "keras/object_allowlist.h"

#include <algorithm>
#include <array>

#include "keras/activations.h"

namespace kgate::keras {
namespace {

using C = ObjectCategory;

// Keras 3.15.1, serialize_keras_object(instance)["module"] per public class.
constexpr AllowedObject kObjects[] = {
    // keras.initializers (aliases such as GlorotUniform/glorot_uniform share a class).
    {"keras.initializers", "Constant", C::kInitializer},
    {"keras.initializers", "GlorotNormal", C::kInitializer},
    {"keras.initializers", "GlorotUniform", C::kInitializer},
    {"keras.initializers", "HeNormal", C::kInitializer},
    {"keras.initializers", "HeUniform", C::kInitializer},
    {"keras.initializers", "Identity", C::kInitializer},
    {"keras.initializers", "LecunNormal", C::kInitializer},
    {"keras.initializers", "LecunUniform", C::kInitializer},
    {"keras.initializers", "Ones", C::kInitializer},
    {"keras.initializers", "Orthogonal", C::kInitializer},
    {"keras.initializers", "RandomNormal", C::kInitializer},
    {"keras.initializers", "RandomUniform", C::kInitializer},
    {"keras.initializers", "STFT", C::kInitializer},
    {"keras.initializers", "TruncatedNormal", C::kInitializer},
    {"keras.initializers", "VarianceScaling", C::kInitializer},
    {"keras.initializers", "Zeros", C::kInitializer},
    // keras.regularizers
    {"keras.regularizers", "L1", C::kRegularizer},
    {"keras.regularizers", "L1L2", C::kRegularizer},
    {"keras.regularizers", "L2", C::kRegularizer},
    {"keras.regularizers", "OrthogonalRegularizer", C::kRegularizer},
    // keras.constraints
    {"keras.constraints", "MaxNorm", C::kConstraint},
    {"keras.constraints", "MinMaxNorm", C::kConstraint},
    {"keras.constraints", "NonNeg", C::kConstraint},
    {"keras.constraints", "UnitNorm", C::kConstraint},
    // dtype policies (non-quantized). FloatDTypePolicy is the pre-3.6 name.
    {"keras", "DTypePolicy", C::kDTypePolicy},
    {"keras", "FloatDTypePolicy", C::kDTypePolicy},
    {"keras.dtype_policies", "DTypePolicy", C::kDTypePolicy},
    {"keras.dtype_policies", "FloatDTypePolicy", C::kDTypePolicy},
    // keras.optimizers
    {"keras.optimizers", "Adadelta", C::kOptimizer},
    {"keras.optimizers", "Adafactor", C::kOptimizer},
    {"keras.optimizers", "Adagrad", C::kOptimizer},
    {"keras.optimizers", "Adam", C::kOptimizer},
    {"keras.optimizers", "AdamW", C::kOptimizer},
    {"keras.optimizers", "Adamax", C::kOptimizer},
    {"keras.optimizers", "Ftrl", C::kOptimizer},
    {"keras.optimizers", "Lamb", C::kOptimizer},
    {"keras.optimizers", "Lion", C::kOptimizer},
    {"keras.optimizers", "LossScaleOptimizer", C::kOptimizer},
    {"keras.optimizers", "MultiOptimizer", C::kOptimizer},
    {"keras.optimizers", "Muon", C::kOptimizer},
    {"keras.optimizers", "Nadam", C::kOptimizer},
    {"keras.optimizers", "RMSprop", C::kOptimizer},
    {"keras.optimizers", "SGD", C::kOptimizer},
    {"keras.optimizers", "ScheduleFreeAdamW", C::kOptimizer},
    // keras.optimizers.schedules
    {"keras.optimizers.schedules", "CosineDecay", C::kSchedule},
    {"keras.optimizers.schedules", "CosineDecayRestarts", C::kSchedule},
    {"keras.optimizers.schedules", "ExponentialDecay", C::kSchedule},
    {"keras.optimizers.schedules", "InverseTimeDecay", C::kSchedule},
    {"keras.optimizers.schedules", "PiecewiseConstantDecay", C::kSchedule},
    {"keras.optimizers.schedules", "PolynomialDecay", C::kSchedule},
    // keras.losses
    {"keras.losses", "BinaryCrossentropy", C::kLoss},
    {"keras.losses", "BinaryFocalCrossentropy", C::kLoss},
    {"keras.losses", "CTC", C::kLoss},
    {"keras.losses", "CategoricalCrossentropy", C::kLoss},
    {"keras.losses", "CategoricalFocalCrossentropy", C::kLoss},
    {"keras.losses", "CategoricalGeneralizedCrossEntropy", C::kLoss},
    {"keras.losses", "CategoricalHinge", C::kLoss},
    {"keras.losses", "Circle", C::kLoss},
    {"keras.losses", "CosineSimilarity", C::kLoss},
    {"keras.losses", "Dice", C::kLoss},
    {"keras.losses", "Hinge", C::kLoss},
    {"keras.losses", "Huber", C::kLoss},
    {"keras.losses", "KLDivergence", C::kLoss},
    {"keras.losses", "LogCosh", C::kLoss},
    {"keras.losses", "MeanAbsoluteError", C::kLoss},
    {"keras.losses", "MeanAbsolutePercentageError", C::kLoss},
    {"keras.losses", "MeanSquaredError", C::kLoss},
    {"keras.losses", "MeanSquaredLogarithmicError", C::kLoss},
    {"keras.losses", "Poisson", C::kLoss},
    {"keras.losses", "SparseCategoricalCrossentropy", C::kLoss},
    {"keras.losses", "SquaredHinge", C::kLoss},
    {"keras.losses", "Tversky", C::kLoss},
    // keras.metrics
    {"keras.metrics", "AUC", C::kMetric},
    {"keras.metrics", "Accuracy", C::kMetric},
    {"keras.metrics", "BinaryAccuracy", C::kMetric},
    {"keras.metrics", "BinaryCrossentropy", C::kMetric},
    {"keras.metrics", "BinaryIoU", C::kMetric},
    {"keras.metrics", "CategoricalAccuracy", C::kMetric},
    {"keras.metrics", "CategoricalCrossentropy", C::kMetric},
    {"keras.metrics", "CategoricalHinge", C::kMetric},
    {"keras.metrics", "ConcordanceCorrelation", C::kMetric},
    {"keras.metrics", "CosineSimilarity", C::kMetric},
    {"keras.metrics", "F1Score", C::kMetric},
    {"keras.metrics", "FBetaScore", C::kMetric},
    {"keras.metrics", "FalseNegatives", C::kMetric},
    {"keras.metrics", "FalsePositives", C::kMetric},
    {"keras.metrics", "Hinge", C::kMetric},
    {"keras.metrics", "IoU", C::kMetric},
    {"keras.metrics", "KLDivergence", C::kMetric},
    {"keras.metrics", "LogCoshError", C::kMetric},
    {"keras.metrics", "Mean", C::kMetric},
    {"keras.metrics", "MeanAbsoluteError", C::kMetric},
    {"keras.metrics", "MeanAbsolutePercentageError", C::kMetric},
    {"keras.metrics", "MeanIoU", C::kMetric},
    {"keras.metrics", "MeanMetricWrapper", C::kMetric},
    {"keras.metrics", "MeanSquaredError", C::kMetric},
    {"keras.metrics", "MeanSquaredLogarithmicError", C::kMetric},
    {"keras.metrics", "OneHotIoU", C::kMetric},
    {"keras.metrics", "OneHotMeanIoU", C::kMetric},
    {"keras.metrics", "PearsonCorrelation", C::kMetric},
    {"keras.metrics", "Poisson", C::kMetric},
    {"keras.metrics", "Precision", C::kMetric},
    {"keras.metrics", "PrecisionAtRecall", C::kMetric},
    {"keras.metrics", "R2Score", C::kMetric},
    {"keras.metrics", "Recall", C::kMetric},
    {"keras.metrics", "RecallAtPrecision", C::kMetric},
    {"keras.metrics", "RootMeanSquaredError", C::kMetric},
    {"keras.metrics", "SensitivityAtSpecificity", C::kMetric},
    {"keras.metrics", "SparseCategoricalAccuracy", C::kMetric},
    {"keras.metrics", "SparseCategoricalCrossentropy", C::kMetric},
    {"keras.metrics", "SparseTopKCategoricalAccuracy", C::kMetric},
    {"keras.metrics", "SpecificityAtSensitivity", C::kMetric},
    {"keras.metrics", "SquaredHinge", C::kMetric},
    {"keras.metrics", "Sum", C::kMetric},
    {"keras.metrics", "TopKCategoricalAccuracy", C::kMetric},
    {"keras.metrics", "TrueNegatives", C::kMetric},
    {"keras.metrics", "TruePositives", C::kMetric},
};

// Public keras.losses functions (Keras 3.15.1, minus get/serialize/deserialize).
constexpr std::string_view kLossFunctions[] = {
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_generalized_cross_entropy", "categorical_hinge",
    "circle", "cosine_similarity", "ctc", "dice", "hinge", "huber", "kl_divergence", "log_cosh",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy", "squared_hinge",
    "tversky",
};

// Public keras.metrics functions (Keras 3.15.1, minus get/serialize/deserialize).
constexpr std::string_view kMetricFunctions[] = {
    "binary_accuracy", "binary_crossentropy", "binary_focal_crossentropy", "categorical_accuracy",
    "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
    "concordance_correlation", "hinge", "huber", "kl_divergence", "log_cosh", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
    "pearson_correlation", "poisson", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy", "squared_hinge", "top_k_categorical_accuracy",
};

constexpr std::string_view kQuantizedPolicies[] = {
    "AWQDTypePolicy", "DTypePolicyMap", "GPTQDTypePolicy", "Int4DTypePolicy", "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy",
};

template <size_t N>
bool Contains(const std::string_view (&table)[N], std::string_view name) {
  return std::find(std::begin(table), std::end(table), name) != std::end(table);
}

}  // namespace

std::string_view CategoryName(ObjectCategory c) {
  switch (c) {
    case C::kInitializer: return "initializer";
    case C::kRegularizer: return "regularizer";
    case C::kConstraint: return "constraint";
    case C::kDTypePolicy: return "dtype policy";
    case C::kOptimizer: return "optimizer";
    case C::kSchedule: return "learning-rate schedule";
    case C::kLoss: return "loss";
    case C::kMetric: return "metric";
  }
  return "object";
}

const AllowedObject* FindAllowedObject(std::string_view module, std::string_view class_name) {
  for (const AllowedObject& o : kObjects) {
    if (o.class_name == class_name && (module.empty() || o.module == module)) return &o;
  }
  return nullptr;
}

bool IsQuantizedPolicyClass(std::string_view class_name) { return Contains(kQuantizedPolicies, class_name); }

bool IsAllowedFunction(std::string_view module, std::string_view name) {
  bool activation = IsKerasActivation(name);
  bool loss = Contains(kLossFunctions, name);
  bool metric = Contains(kMetricFunctions, name);
  if (module == "builtins") return activation || loss || metric;
  if (module == "keras.activations") return activation;
  if (module == "keras.losses") return loss;
  if (module == "keras.metrics") return metric;
  return false;
}

bool IsKerasModule(std::string_view module) {
  return module == "keras" || (module.size() > 6 && module.substr(0, 6) == "keras.");
}

}  // namespace kgate::keras
