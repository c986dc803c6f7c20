/**
 * Runnable programs: raw data to semantic IDs, a trained generator, metrics and recommendations; preference
 * alignment; Think-Ahead.
 *
 * <p>Audience: users learning the library, and the README's reproduce commands.
 */
package io.onerec.examples;
