package io.m3spark.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses command lines the way Hugging Face's argument parser does, so FlagEmbedding commands paste unchanged:
 * {@code --name value} and {@code --name=value}; booleans as a bare flag, with an explicit value
 * ({@code True}/{@code False}, {@code yes}/{@code no}, {@code 1}/{@code 0}), or negated as {@code --no_name};
 * list flags take every following value up to the next {@code --flag}.
 */
public final class ArgParser {
  private ArgParser() {}

  /** One flag of a command: its field and annotation. */
  record Spec(Field field, Flag flag) {
    String name() {
      return flag.name();
    }

    Class<?> type() {
      return field.getType();
    }

    boolean isBoolean() {
      return type() == boolean.class || type() == Boolean.class;
    }

    boolean isList() {
      return List.class.isAssignableFrom(type());
    }

    Class<?> elementType() {
      Type t = field.getGenericType();
      if (t instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
        return c;
      }
      return String.class;
    }
  }

  /** Parses {@code args} into a new instance of {@code type}, then runs its {@link CommandArgs#validate()}. */
  public static <T extends CommandArgs> T parse(Class<T> type, String... args) throws UsageException {
    T target = instantiate(type);
    Map<String, Spec> byName = specsByName(type);
    Set<Spec> seen = new HashSet<>();
    int i = 0;
    while (i < args.length) {
      String token = args[i++];
      if (!token.startsWith("--") || token.length() == 2) {
        throw new UsageException("unexpected argument '" + token + "' (flags start with --)");
      }
      String name = token.substring(2);
      String inline = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      name = name.replace('-', '_');
      Spec spec = byName.get(name);
      boolean negated = false;
      if (spec == null && name.startsWith("no_") && byName.containsKey(name.substring(3))
          && byName.get(name.substring(3)).isBoolean()) {
        spec = byName.get(name.substring(3));
        negated = true;
      }
      if (spec == null) {
        throw new UsageException("unknown flag --" + name + suggestion(name, byName.keySet()));
      }
      Object value;
      if (spec.isBoolean()) {
        String raw = inline;
        if (raw == null && i < args.length && isBooleanWord(args[i])) {
          raw = args[i++];
        }
        boolean b = raw == null || parseBoolean(spec, raw);
        value = negated != b;
      } else if (spec.isList()) {
        List<String> raws = new ArrayList<>();
        if (inline != null) {
          raws.add(inline);
        }
        while (i < args.length && !isFlag(args[i])) {
          raws.add(args[i++]);
        }
        if (raws.isEmpty()) {
          throw new UsageException("--" + spec.name() + " needs at least one value");
        }
        List<Object> list = new ArrayList<>();
        for (String r : raws) {
          list.add(convert(spec, spec.elementType(), r));
        }
        value = list;
      } else {
        String raw = inline;
        if (raw == null) {
          if (i >= args.length || isFlag(args[i])) {
            throw new UsageException("--" + spec.name() + " needs a value");
          }
          raw = args[i++];
        }
        value = convert(spec, spec.type(), raw);
      }
      set(target, spec, value);
      seen.add(spec);
    }
    List<String> missing = new ArrayList<>();
    for (Spec s : specs(type)) {
      if (s.flag().required() && !seen.contains(s)) {
        missing.add("--" + s.name());
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageException("missing required flag" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
    }
    target.validate();
    return target;
  }

  /** The help text: a usage line and every flag with its type, default and description. */
  public static String help(String command, String summary, Class<? extends CommandArgs> type) {
    CommandArgs defaults = instantiate(type);
    StringBuilder sb = new StringBuilder();
    sb.append("usage: m3spark ").append(command).append(" [flags]\n\n").append(summary).append("\n\nflags:\n");
    List<String[]> rows = new ArrayList<>();
    for (Spec s : specs(type)) {
      if (s.flag().testing()) {
        continue;
      }
      String left = "  --" + s.name() + " " + metavar(s);
      String right = s.flag().help();
      if (s.flag().required()) {
        right += " (required)";
      } else {
        right += " (default: " + render(get(defaults, s)) + ")";
      }
      if (s.flag().aliases().length > 0) {
        right += " (also --" + String.join(", --", s.flag().aliases()) + ")";
      }
      rows.add(new String[] {left, right});
    }
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
    for (String[] r : rows) {
      sb.append(String.format(Locale.ROOT, "%-" + width + "s%s%n", r[0], r[1]));
    }
    sb.append(String.format(Locale.ROOT, "%-" + width + "s%s%n", "  --help", "show this help and exit"));
    return sb.toString();
  }

  /** Renders every flag's current value, in declaration order. */
  static String describe(CommandArgs args) {
    StringBuilder sb = new StringBuilder();
    for (Spec s : specs(args.getClass())) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append("--").append(s.name()).append(' ').append(render(get(args, s)));
    }
    return sb.toString();
  }

  /** Every flag's current value by name, rendered as on the command line, in declaration order. */
  public static Map<String, String> values(CommandArgs args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Spec s : specs(args.getClass())) {
      out.put(s.name(), render(get(args, s)));
    }
    return out;
  }

  /** Flags of {@code type} in declaration order, superclass flags first. */
  static List<Spec> specs(Class<?> type) {
    List<Class<?>> chain = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      chain.add(0, c);
    }
    List<Spec> out = new ArrayList<>();
    for (Class<?> c : chain) {
      for (Field f : c.getDeclaredFields()) {
        Flag flag = f.getAnnotation(Flag.class);
        if (flag != null) {
          if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) {
            throw new IllegalStateException("@Flag field must be an instance, non-final field: " + f);
          }
          f.setAccessible(true);
          out.add(new Spec(f, flag));
        }
      }
    }
    return out;
  }

  private static Map<String, Spec> specsByName(Class<?> type) {
    Map<String, Spec> map = new LinkedHashMap<>();
    for (Spec s : specs(type)) {
      for (String n : names(s)) {
        if (map.put(n, s) != null) {
          throw new IllegalStateException("flag --" + n + " declared twice in " + type.getName());
        }
      }
    }
    return map;
  }

  private static List<String> names(Spec s) {
    List<String> names = new ArrayList<>();
    names.add(s.name());
    names.addAll(Arrays.asList(s.flag().aliases()));
    return names;
  }

  private static boolean isFlag(String token) {
    return token.startsWith("--") && token.length() > 2;
  }

  private static boolean isBooleanWord(String token) {
    return BOOLEAN_WORDS.containsKey(token.toLowerCase(Locale.ROOT));
  }

  private static final Map<String, Boolean> BOOLEAN_WORDS = Map.of(
      "true", true, "false", false, "yes", true, "no", false, "t", true, "f", false,
      "y", true, "n", false, "1", true, "0", false);

  private static boolean parseBoolean(Spec spec, String raw) throws UsageException {
    Boolean b = BOOLEAN_WORDS.get(raw.toLowerCase(Locale.ROOT));
    if (b == null) {
      throw new UsageException("--" + spec.name() + " expects True or False, got '" + raw + "'");
    }
    return b;
  }

  private static Object convert(Spec spec, Class<?> type, String raw) throws UsageException {
    try {
      if (type == String.class) {
        return raw;
      } else if (type == int.class || type == Integer.class) {
        return Integer.parseInt(raw.trim());
      } else if (type == long.class || type == Long.class) {
        return Long.parseLong(raw.trim());
      } else if (type == float.class || type == Float.class) {
        return Float.parseFloat(raw.trim());
      } else if (type == double.class || type == Double.class) {
        return Double.parseDouble(raw.trim());
      } else if (type.isEnum()) {
        return parseEnum(spec, type, raw);
      }
    } catch (NumberFormatException e) {
      throw new UsageException("--" + spec.name() + " expects " + typeName(type) + ", got '" + raw + "'");
    }
    throw new IllegalStateException("unsupported flag type " + type + " for --" + spec.name());
  }

  private static Object parseEnum(Spec spec, Class<?> type, String raw) throws UsageException {
    String wanted = raw.trim().replace('-', '_');
    for (Object c : type.getEnumConstants()) {
      if (((Enum<?>) c).name().equalsIgnoreCase(wanted)) {
        return c;
      }
    }
    throw new UsageException("--" + spec.name() + " expects one of " + enumChoices(type) + ", got '" + raw + "'");
  }

  private static String enumChoices(Class<?> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .collect(Collectors.joining("|"));
  }

  private static String typeName(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    return "a number";
  }

  private static String metavar(Spec s) {
    Class<?> t = s.isList() ? s.elementType() : s.type();
    String one;
    if (s.isBoolean()) {
      return "[True|False]";
    } else if (t.isEnum()) {
      one = "{" + enumChoices(t) + "}";
    } else if (t == String.class) {
      one = "STR";
    } else if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      one = "INT";
    } else {
      one = "FLOAT";
    }
    return s.isList() ? one + " [" + one + " ...]" : one;
  }

  private static String render(Object v) {
    if (v == null) {
      return "None";
    } else if (v instanceof Boolean b) {
      return b ? "True" : "False";
    } else if (v instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    } else if (v instanceof List<?> l) {
      return l.stream().map(ArgParser::render).collect(Collectors.joining(" "));
    } else if (v instanceof String s) {
      return s.isEmpty() || s.contains(" ") ? "\"" + s + "\"" : s;
    }
    return String.valueOf(v);
  }

  private static String suggestion(String name, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = editDistance(name, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 3) ? " (did you mean --" + best + "?)" : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static <T> T instantiate(Class<T> type) {
    try {
      Constructor<T> c = type.getDeclaredConstructor();
      c.setAccessible(true);
      return c.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type.getName() + " needs a no-argument constructor", e);
    }
  }

  private static Object get(Object target, Spec s) {
    try {
      return s.field().get(target);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void set(Object target, Spec s, Object value) {
    try {
      s.field().set(target, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
