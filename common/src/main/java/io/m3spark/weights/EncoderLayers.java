package io.m3spark.weights;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layer number in a tensor name of the form {@code encoder.layer.N.…}, read without trusting it: a file may name
 * layer 2147483647 or 99999999999, and a count of layers is then derived from it. Layers are numbered from 0 and
 * every layer has at least one tensor, so a number is only plausible below the number of tensors the file holds.
 */
public final class EncoderLayers {
  private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\..*", Pattern.DOTALL);
  /** Digits beyond this cannot be a number below {@link Integer#MAX_VALUE}; not parsed at all. */
  private static final int MAX_DIGITS = 10;

  private EncoderLayers() {}

  /**
   * The layer {@code name} belongs to, or -1 if it is not a layer tensor.
   *
   * @param tensorCount how many tensors the weights hold: the bound every layer number must stay below
   * @throws WeightsFormatException naming {@code file} and the tensor, if the number is not below the bound
   */
  public static int indexOf(Path file, String name, int tensorCount) throws WeightsFormatException {
    Matcher m = LAYER.matcher(name);
    if (!m.matches()) {
      return -1;
    }
    String digits = m.group(1);
    long n = digits.length() > MAX_DIGITS ? Long.MAX_VALUE : Long.parseLong(digits);
    if (n >= tensorCount) {
      throw new WeightsFormatException(file, "tensor '" + shortName(name) + "' names encoder layer "
          + (digits.length() > MAX_DIGITS ? "of " + digits.length() + " digits" : digits) + ", but the weights hold only "
          + tensorCount + " tensor(s): layers are numbered from 0, so no encoder here has that many");
    }
    return (int) n;
  }

  private static String shortName(String name) {
    return name.length() > 200 ? name.substring(0, 200) + "…" : name;
  }
}
