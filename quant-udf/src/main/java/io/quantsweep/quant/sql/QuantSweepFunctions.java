package io.quantsweep.quant.sql;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.connector.catalog.CatalogManager;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import scala.Function1;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.Seq;

/**
 * The codecs as Spark SQL functions, registered on a session by {@link #register}:
 *
 * <pre>
 * ggml_quantize(row ARRAY&lt;FLOAT&gt;, type STRING [, importance ARRAY&lt;FLOAT&gt;]) -&gt; BINARY
 * ggml_dequantize(data BINARY, type STRING, n INT|BIGINT)                -&gt; ARRAY&lt;FLOAT&gt;
 * ggml_type_size(type STRING, n INT|BIGINT)                              -&gt; BIGINT
 * </pre>
 *
 * <p>One row is one call to {@link Codecs}, so the bytes are those of the golden vectors and of the
 * command line. All three are deterministic and return NULL when the row, data or type is NULL; bad
 * values (a NaN, a row length that is not a multiple of the block size, an unknown type) fail the
 * query with the codec's message. Java UDFs get no implicit casts, so a row of another element type
 * is refused with a hint to {@code CAST(row AS ARRAY<FLOAT>)} rather than converted silently.
 */
public final class QuantSweepFunctions {
    public static final String QUANTIZE = "ggml_quantize";
    public static final String DEQUANTIZE = "ggml_dequantize";
    public static final String TYPE_SIZE = "ggml_type_size";

    private static final ArrayType FLOATS = DataTypes.createArrayType(DataTypes.FloatType, false);

    static final UserDefinedFunction QUANTIZE_UDF = functions.udf(
            (UDF3<Seq<?>, Object, Seq<?>, byte[]>) QuantSweepFunctions::quantize, DataTypes.BinaryType);
    static final UserDefinedFunction DEQUANTIZE_UDF = functions.udf(
            (UDF3<byte[], Object, Object, float[]>) QuantSweepFunctions::dequantize, FLOATS);
    static final UserDefinedFunction TYPE_SIZE_UDF = functions.udf(
            (UDF2<Object, Object, Long>) QuantSweepFunctions::typeSize, DataTypes.LongType);

    private QuantSweepFunctions() {
    }

    /**
     * Registers the three functions as temporary functions of {@code spark}, replacing earlier ones.
     *
     * @throws IllegalArgumentException for a Spark Connect session, whose functions live on the server
     */
    public static void register(SparkSession spark) {
        spark.udf().register(QUANTIZE, QUANTIZE_UDF);
        spark.udf().register(DEQUANTIZE, DEQUANTIZE_UDF);
        spark.udf().register(TYPE_SIZE, TYPE_SIZE_UDF);
        allowOmittedImportance(spark);
    }

    /**
     * A Spark UDF has exactly one arity, so ggml_quantize's registered builder is wrapped in one that
     * reads a two-argument call as a NULL importance vector (ggml's {@code imatrix = NULL}). A SQL
     * function with a DEFAULT parameter would do the same through public API, but Spark refuses
     * lambda functions in the arguments of SQL functions, as in {@code ggml_quantize(transform(...))}.
     * The wrapper uses Spark's internal function registry as of 4.2 (temporary functions named
     * {@code system.session.<name>}); the jobs test {@code QuantSweepFunctionsSqlTest} fails if an
     * upgrade changes it.
     */
    private static void allowOmittedImportance(SparkSession spark) {
        if (!(spark instanceof org.apache.spark.sql.classic.SparkSession classic)) {
            throw new IllegalArgumentException(QUANTIZE + " needs a classic (not Spark Connect) session, got "
                    + spark.getClass().getName());
        }
        FunctionRegistry registry = classic.sessionState().functionRegistry();
        // temporary functions live in the system catalog's session namespace
        FunctionIdentifier id = new FunctionIdentifier(QUANTIZE, Option.apply(CatalogManager.SESSION_NAMESPACE()),
                Option.apply(CatalogManager.SYSTEM_CATALOG_NAME()));
        Function1<scala.collection.immutable.Seq<Expression>, Expression> withImportance =
                registry.lookupFunctionBuilder(id).get();
        Expression noImportance = Literal.create(null, DataTypes.createArrayType(DataTypes.FloatType));
        Function1<scala.collection.immutable.Seq<Expression>, Expression> builder = args -> switch (args.size()) {
            case 2 -> withImportance.apply(appended(args, noImportance));
            case 3 -> withImportance.apply(args);
            default -> throw new IllegalArgumentException(
                    "%s takes 2 or 3 arguments (row, type [, importance]), got %d".formatted(QUANTIZE, args.size()));
        };
        registry.createOrReplaceTempFunction(QUANTIZE, builder, "java_udf");
    }

    /** Scala's {@code appended} keeps the collection type, which its Java signature cannot say. */
    @SuppressWarnings("unchecked")
    private static scala.collection.immutable.Seq<Expression> appended(scala.collection.immutable.Seq<Expression> args,
                                                                       Expression last) {
        return (scala.collection.immutable.Seq<Expression>) args.appended(last);
    }

    static byte[] quantize(Seq<?> row, Object type, Seq<?> importance) {
        if (row == null || type == null) {
            return null;
        }
        float[] x = floats(row, "row");
        return Codecs.quantize(type(type, QUANTIZE), x, x.length, importance == null ? null : floats(importance, "importance"));
    }

    static float[] dequantize(byte[] data, Object type, Object n) {
        if (data == null || type == null || n == null) {
            return null;
        }
        return Codecs.dequantize(type(type, DEQUANTIZE), data, Math.toIntExact(integral(n, DEQUANTIZE + " n")));
    }

    static Long typeSize(Object type, Object n) {
        if (type == null || n == null) {
            return null;
        }
        return type(type, TYPE_SIZE).bytesFor(integral(n, TYPE_SIZE + " n"));
    }

    private static float[] floats(Seq<?> values, String what) {
        float[] out = new float[values.size()];
        Iterator<?> it = values.iterator();
        for (int i = 0; i < out.length; i++) {
            Object v = it.next();
            if (v instanceof Float f) {
                out[i] = f;
            } else if (v == null) {
                throw new IllegalArgumentException("%s: %s has NULL at index %d".formatted(QUANTIZE, what, i));
            } else {
                throw new IllegalArgumentException("%s: %s must be ARRAY<FLOAT>, element %d is a %s; use CAST(%s AS ARRAY<FLOAT>)"
                        .formatted(QUANTIZE, what, i, v.getClass().getSimpleName(), what));
            }
        }
        return out;
    }

    /** The type a STRING argument names; Spark passes a number as it is, which a String parameter would not survive. */
    private static GgmlType type(Object v, String function) {
        if (v instanceof String name) {
            return GgmlType.parse(name);
        }
        throw new IllegalArgumentException("%s type must be a STRING such as 'Q4_K', got a %s (%s)"
                .formatted(function, v.getClass().getSimpleName(), v));
    }

    private static long integral(Object v, String what) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw new IllegalArgumentException("%s must be an INT or BIGINT, got a %s".formatted(what, v.getClass().getSimpleName()));
    }
}
