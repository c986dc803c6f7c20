/**
 * The generator on LibTorch: the model ({@link io.onerec.libtorch.generator.TorchGeneratorModel}), inference
 * ({@link io.onerec.libtorch.generator.TorchGenerator}) and next-token training
 * ({@link io.onerec.libtorch.generator.GeneratorTrainer} with {@link io.onerec.libtorch.generator.GeneratorTrainerConfig}),
 * from examples in memory or from windows streamed from a sequence file of any size
 * ({@link io.onerec.libtorch.generator.StreamingWindows}).
 *
 * <p>Audience: training programs; hosts load generators through {@code Backends}. Contract: wrap every training step
 * or inference call in a {@code PointerScope}.
 */
package io.onerec.libtorch.generator;
