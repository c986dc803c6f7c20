/**
 * The checkpoint format every backend reads and writes: a directory with {@code config.json} (the model's config
 * plus its {@code kind}) and safetensors weights, and typed access to both.
 *
 * <p>Audience: backend SPI. Contract: a checkpoint written by one backend loads in every other; mismatches fail
 * with {@link io.onerec.api.checkpoint.CheckpointException} naming the file and tensor.
 */
package io.onerec.api.checkpoint;
