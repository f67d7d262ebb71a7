package io.wruntime.proxy.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire walk against protobuf-java's parser as the oracle: it never accepts a body the parser
 * refuses, and it accepts the well-formed bodies itself (so valid requests skip the parser).
 */
class WireCheckTest {
  private static Descriptor all;
  private static Descriptor legacy;
  private static Descriptor withRequired;

  @BeforeAll
  static void buildSchemas() throws Exception {
    FileDescriptorProto proto3 =
        FileDescriptorProto.newBuilder()
            .setName("t3.proto")
            .setPackage("t")
            .setSyntax("proto3")
            .addEnumType(
                EnumDescriptorProto.newBuilder()
                    .setName("Color")
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(0))
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("BLUE").setNumber(1)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("All")
                    .addField(field("i32", 1, Type.TYPE_INT32, Label.LABEL_OPTIONAL))
                    .addField(field("s64", 2, Type.TYPE_SINT64, Label.LABEL_OPTIONAL))
                    .addField(field("f32", 3, Type.TYPE_FIXED32, Label.LABEL_OPTIONAL))
                    .addField(field("f64", 4, Type.TYPE_FIXED64, Label.LABEL_OPTIONAL))
                    .addField(field("d", 5, Type.TYPE_DOUBLE, Label.LABEL_OPTIONAL))
                    .addField(field("f", 6, Type.TYPE_FLOAT, Label.LABEL_OPTIONAL))
                    .addField(field("b", 7, Type.TYPE_BOOL, Label.LABEL_OPTIONAL))
                    .addField(field("s", 8, Type.TYPE_STRING, Label.LABEL_OPTIONAL))
                    .addField(field("raw", 9, Type.TYPE_BYTES, Label.LABEL_OPTIONAL))
                    .addField(
                        field("color", 10, Type.TYPE_ENUM, Label.LABEL_OPTIONAL)
                            .setTypeName(".t.Color"))
                    .addField(
                        field("child", 11, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL)
                            .setTypeName(".t.All"))
                    .addField(field("ints", 12, Type.TYPE_INT64, Label.LABEL_REPEATED))
                    .addField(field("fixeds", 13, Type.TYPE_SFIXED32, Label.LABEL_REPEATED))
                    .addField(field("names", 14, Type.TYPE_STRING, Label.LABEL_REPEATED))
                    .addField(
                        field("counts", 15, Type.TYPE_MESSAGE, Label.LABEL_REPEATED)
                            .setTypeName(".t.All.CountsEntry"))
                    .addField(
                        field("a", 16, Type.TYPE_STRING, Label.LABEL_OPTIONAL).setOneofIndex(0))
                    .addField(
                        field("n", 17, Type.TYPE_UINT32, Label.LABEL_OPTIONAL).setOneofIndex(0))
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"))
                    .addNestedType(
                        DescriptorProto.newBuilder()
                            .setName("CountsEntry")
                            .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                            .addField(field("key", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL))
                            .addField(field("value", 2, Type.TYPE_INT32, Label.LABEL_OPTIONAL))))
            .build();
    FileDescriptorProto proto2 =
        FileDescriptorProto.newBuilder()
            .setName("t2.proto")
            .setPackage("t2")
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("Legacy")
                    .addField(field("s", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL))
                    .addField(field("v", 2, Type.TYPE_INT32, Label.LABEL_REPEATED)))
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("WithRequired")
                    .addField(field("id", 1, Type.TYPE_INT32, Label.LABEL_REQUIRED)))
            .build();
    FileDescriptor f3 = FileDescriptor.buildFrom(proto3, new FileDescriptor[0]);
    FileDescriptor f2 = FileDescriptor.buildFrom(proto2, new FileDescriptor[0]);
    all = f3.findMessageTypeByName("All");
    legacy = f2.findMessageTypeByName("Legacy");
    withRequired = f2.findMessageTypeByName("WithRequired");
  }

  private static FieldDescriptorProto.Builder field(String name, int number, Type type, Label l) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setJsonName(name)
        .setNumber(number)
        .setType(type)
        .setLabel(l);
  }

  private static boolean walks(Descriptor type, byte[] bytes) {
    return WireCheck.parses(type, CodedInputStream.newInstance(ByteBuffer.wrap(bytes)));
  }

  private static boolean parses(Descriptor type, byte[] bytes) {
    try {
      DynamicMessage.parseFrom(type, bytes);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static byte[] sample(Random random, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(all);
    b.setField(all.findFieldByName("i32"), random.nextInt());
    b.setField(all.findFieldByName("s64"), random.nextLong());
    b.setField(all.findFieldByName("f32"), random.nextInt());
    b.setField(all.findFieldByName("f64"), random.nextLong());
    b.setField(all.findFieldByName("d"), random.nextDouble());
    b.setField(all.findFieldByName("f"), random.nextFloat());
    b.setField(all.findFieldByName("b"), random.nextBoolean());
    b.setField(all.findFieldByName("s"), "héllo wörld ✓ " + random.nextInt(1000));
    b.setField(all.findFieldByName("raw"), ByteString.copyFrom(new byte[] {(byte) 0xff, 0, 1}));
    b.setField(
        all.findFieldByName("color"), all.getFile().findEnumTypeByName("Color").getValues().get(1));
    for (int i = 0; i < random.nextInt(5); i++) {
      b.addRepeatedField(all.findFieldByName("ints"), random.nextLong());
      b.addRepeatedField(all.findFieldByName("fixeds"), random.nextInt());
      b.addRepeatedField(all.findFieldByName("names"), "n" + i);
      Descriptor entry = all.findNestedTypeByName("CountsEntry");
      b.addRepeatedField(
          all.findFieldByName("counts"),
          DynamicMessage.newBuilder(entry)
              .setField(entry.findFieldByName("key"), "k" + i)
              .setField(entry.findFieldByName("value"), i)
              .build());
    }
    if (random.nextBoolean()) {
      b.setField(all.findFieldByName("a"), "x");
    } else {
      b.setField(all.findFieldByName("n"), 7);
    }
    if (depth < 3 && random.nextBoolean()) {
      try {
        b.setField(
            all.findFieldByName("child"), DynamicMessage.parseFrom(all, sample(random, depth + 1)));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    return b.build().toByteArray();
  }

  @Test
  void wellFormedBodiesAreAcceptedWithoutTheParser() {
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] bytes = sample(random, 0);
      assertThat(walks(all, bytes)).as("sample %d", i).isTrue();
    }
    assertThat(walks(all, new byte[0])).isTrue();
    // Unknown fields of every wire type, a group among them, are skipped as the parser does.
    byte[] unknown = {(byte) 0xa0, 0x06, 0x01, (byte) 0xab, 0x06, 0x08, 0x01, (byte) 0xac, 0x06};
    assertThat(walks(all, unknown)).isTrue();
    assertThat(parses(all, unknown)).isTrue();
  }

  @Test
  void theWalkNeverAcceptsWhatTheParserRefuses() {
    Random random = new Random(11);
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = sample(random, 0);
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations && bytes.length > 0; m++) {
        switch (random.nextInt(3)) {
          case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
          case 1 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
          default -> {
            byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            longer[bytes.length] = (byte) random.nextInt(256);
            bytes = longer;
          }
        }
      }
      bodies.add(bytes);
    }
    for (int i = 0; i < 2000; i++) {
      byte[] noise = new byte[random.nextInt(40)];
      random.nextBytes(noise);
      bodies.add(noise);
    }
    int refused = 0;
    for (byte[] body : bodies) {
      for (Descriptor type : List.of(all, legacy, withRequired)) {
        boolean parsed = parses(type, body);
        if (walks(type, body)) {
          assertThat(parsed).as("accepted by the walk, refused by the parser").isTrue();
        }
        if (!parsed) {
          refused++;
        }
      }
    }
    assertThat(refused).as("the mutations produce bodies the parser refuses").isGreaterThan(1000);
  }

  @Test
  void deeplyNestedUnknownGroupsAreLeftToTheParser() {
    // 10,000 unknown groups (0xa3 0x01: field 20, wire type 3) opened and never ended.
    byte[] nested = new byte[20_000];
    for (int i = 0; i < nested.length; i += 2) {
      nested[i] = (byte) 0xa3;
      nested[i + 1] = 0x01;
    }
    assertThat(walks(all, nested)).isFalse();
    assertThat(parses(all, nested)).isFalse();
  }

  @Test
  void invalidUtf8InAProto3StringIsLeftToTheParser() {
    byte[] bad = {0x42, 0x02, (byte) 0xc3, 0x28};
    assertThat(walks(all, bad)).isFalse();
    assertThat(parses(all, bad)).isFalse();
    // proto2 strings are not checked by the parser: the walk accepts them too.
    byte[] legacyBad = {0x0a, 0x02, (byte) 0xc3, 0x28};
    assertThat(walks(legacy, legacyBad)).isTrue();
    assertThat(parses(legacy, legacyBad)).isTrue();
  }

  @Test
  void typesWithRequiredFieldsAreLeftToTheParser() {
    assertThat(WireCheck.walkable(withRequired)).isFalse();
    assertThat(walks(withRequired, new byte[] {0x08, 0x01})).isFalse();
    assertThat(WireCheck.walkable(all)).isTrue();
  }
}
