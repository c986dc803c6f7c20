package io.onerec.libtorch;

import org.bytedeco.javacpp.PointerScope;

/**
 * Run by {@link FreshCacheNativeLoadTest} in a fresh JVM: loads the LibTorch natives, computes one sum, and exits 0
 * (2 when the natives do not load). A crash while loading shows as the JVM's own exit status.
 */
public final class NativeLoadProbe {
    private NativeLoadProbe() {
    }

    public static void main(String[] args) {
        String error = Torch.load();
        if (error != null) {
            System.err.println("libtorch did not load: " + error);
            System.exit(2);
        }
        try (PointerScope scope = new PointerScope()) {
            float sum = Torch.floats(new float[]{1, 2, 3.5f}, 3).sum().item_float();
            System.out.println("sum=" + sum);
        }
    }
}
