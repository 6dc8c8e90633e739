// Placeholder: this family is not implemented yet.
#include "keras/layers/families.h"

namespace kgate::keras::layers {

std::span<const LayerSpec> ReshapingLayerSpecs() { return {}; }

}  // namespace kgate::keras::layers
