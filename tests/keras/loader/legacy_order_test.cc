// Keras's legacy weight order (trainable_weights + non_trainable_weights,
// recursively), which legacy .h5 files bind by position.
#include "keras/legacy_weights.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kgate::keras {
namespace {

graph::Weight W(std::string name, bool trainable, std::string group = "") {
  graph::Weight w;
  w.name = std::move(name);
  w.trainable = trainable;
  w.group = std::move(group);
  w.shape = {1};
  return w;
}

std::vector<std::string> Names(graph::Layer& l) {
  std::vector<std::string> out;
  for (graph::Weight* w : LegacyWeightOrder(l)) out.push_back(w->group.empty() ? w->name : w->group + "/" + w->name);
  return out;
}

TEST(LegacyWeightOrder, BatchNormalizationKeepsSaveOrder) {
  graph::Layer bn;
  bn.weights = {W("gamma", true), W("beta", true), W("moving_mean", false), W("moving_variance", false)};
  EXPECT_EQ(Names(bn), (std::vector<std::string>{"gamma", "beta", "moving_mean", "moving_variance"}));
  bn.trainable = false;  // frozen: everything is non-trainable, weights order
  EXPECT_EQ(Names(bn), (std::vector<std::string>{"gamma", "beta", "moving_mean", "moving_variance"}));
}

TEST(LegacyWeightOrder, TrainableFirstAcrossSublayers) {
  // A Bidirectional of two layers, each with a trainable and a non-trainable variable.
  graph::Layer bi;
  for (const char* side : {"forward_layer", "backward_layer"}) {
    auto sub = std::make_unique<graph::Layer>();
    sub->attr_key = side;
    sub->weights = {W(std::string(side) + ".k", true, "cell"), W(std::string(side) + ".s", false, "cell")};
    bi.sublayers.push_back(std::move(sub));
  }
  EXPECT_EQ(Names(bi), (std::vector<std::string>{"cell/forward_layer.k", "cell/backward_layer.k",
                                                 "cell/forward_layer.s", "cell/backward_layer.s"}));
}

TEST(LegacyWeightOrder, OwnThenGroupsThenNestedModelWithFrozenInnerLayer) {
  graph::Layer outer;
  outer.model = std::make_unique<graph::Graph>();
  auto a = std::make_unique<graph::Layer>();
  a->weights = {W("a.kernel", true), W("a.bias", true)};
  auto frozen = std::make_unique<graph::Layer>();
  frozen->trainable = false;
  frozen->weights = {W("f.kernel", true)};
  auto mha = std::make_unique<graph::Layer>();
  mha->weights = {W("q", true, "query_dense"), W("own", true), W("k", true, "key_dense")};
  outer.model->layers.push_back(std::move(a));
  outer.model->layers.push_back(std::move(frozen));
  outer.model->layers.push_back(std::move(mha));
  EXPECT_EQ(Names(outer), (std::vector<std::string>{"a.kernel", "a.bias", "own", "query_dense/q", "key_dense/k",
                                                    "f.kernel"}));
  outer.trainable = false;
  EXPECT_EQ(Names(outer), (std::vector<std::string>{"a.kernel", "a.bias", "f.kernel", "own", "query_dense/q",
                                                    "key_dense/k"}));
}

}  // namespace
}  // namespace kgate::keras
