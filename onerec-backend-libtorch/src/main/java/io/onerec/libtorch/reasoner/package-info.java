/**
 * The reasoner on LibTorch: the Qwen-style model ({@link io.onerec.libtorch.reasoner.TorchQwenModel}), its KV cache,
 * the Hugging Face tokenizer and the three OneRec-Think training stages ({@link
 * io.onerec.libtorch.reasoner.ReasonerTrainer}; GRPO rollouts on CPU decode with the pure-Java model, reached
 * through the backend registry).
 *
 * <p>Audience: training programs; hosts load reasoners through {@code Backends}.
 */
package io.onerec.libtorch.reasoner;
