/**
 * JMH benchmarks (build with {@code package}, run {@code target/benchmarks.jar}). Speed is measured here only.
 *
 * <p>Audience: developers.
 */
package io.onerec.bench;
