/**
 * The prefix trie over a catalog's semantic IDs that constrains decoding.
 *
 * <p>Audience: backend SPI (codecs build it, the beam searches walk it). Contract: immutable and thread-safe.
 */
package io.onerec.api.sid;
