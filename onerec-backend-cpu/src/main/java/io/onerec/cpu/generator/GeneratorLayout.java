package io.onerec.cpu.generator;

import io.onerec.api.generator.GeneratorConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every tensor name of a generator checkpoint and its shape, exactly as listed in docs/generator-model.md. */
public final class GeneratorLayout {
    public static final String KIND = "onerec-generator";

    private GeneratorLayout() {
    }

    public static Map<String, long[]> shapes(GeneratorConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel(), ff = c.dFf();
        s.put("shared.embedding", new long[]{c.vocabSize(), d});
        s.put("encoder.pos_embedding", new long[]{c.maxEncoderLen(), d});
        for (int i = 0; i < c.encoderLayers(); i++) {
            String p = "encoder.layers." + i + ".";
            s.put(p + "attn_norm.weight", new long[]{d});
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(p + "attn." + w + ".weight", new long[]{d, d});
            s.put(p + "ffn_norm.weight", new long[]{d});
            s.put(p + "ffn.wi.weight", new long[]{ff, d});
            s.put(p + "ffn.wo.weight", new long[]{d, ff});
        }
        s.put("encoder.final_norm.weight", new long[]{d});
        s.put("decoder.pos_embedding", new long[]{c.maxDecoderLen(), d});
        for (int i = 0; i < c.decoderLayers(); i++) {
            String p = "decoder.layers." + i + ".";
            s.put(p + "self_attn_norm.weight", new long[]{d});
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(p + "self_attn." + w + ".weight", new long[]{d, d});
            s.put(p + "cross_attn_norm.weight", new long[]{d});
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(p + "cross_attn." + w + ".weight", new long[]{d, d});
            s.put(p + "ffn_norm.weight", new long[]{d});
            if (c.moe()) {
                s.put(p + "moe.router.weight", new long[]{c.moeExperts(), d});
                for (int e = 0; e < c.moeExperts(); e++) {
                    s.put(p + "moe.experts." + e + ".wi.weight", new long[]{ff, d});
                    s.put(p + "moe.experts." + e + ".wo.weight", new long[]{d, ff});
                }
            } else {
                s.put(p + "ffn.wi.weight", new long[]{ff, d});
                s.put(p + "ffn.wo.weight", new long[]{d, ff});
            }
        }
        s.put("decoder.final_norm.weight", new long[]{d});
        s.put("lm_head.weight", new long[]{c.vocabSize(), d});
        return s;
    }
}
