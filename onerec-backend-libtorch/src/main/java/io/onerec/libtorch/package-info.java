/**
 * The LibTorch backend ({@link io.onerec.libtorch.TorchBackend}, registry name {@code libtorch}): training and
 * inference on CPU or CUDA through bytedeco's JavaCPP presets. LibTorch classes carry the {@code Torch} prefix.
 *
 * <p>Audience: hosts reach inference through {@code Backends}; trainers (generator, reward model, reasoner, IPA) are
 * used directly by training programs. Contract: depends on onerec-api, onerec-core and onerec-tools only, never on
 * another backend.
 */
package io.onerec.libtorch;
