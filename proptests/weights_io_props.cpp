
#include <filesystem>
#include <fstream>

#include "bloomnet/atomic_file.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/weights_io.hpp"
#include "generators.hpp"
#include "scratch.hpp"

namespace bloomnet {
namespace {

namespace fs = std::filesystem;
using prop::draw;
using scratch::read_file;
using scratch::ScratchDir;
using scratch::temporaries_of;
using scratch::TinyTmpfs;

bool same_params(const Network& a, const Network& b) {
  return a.V() == b.V() && a.d() == b.d() &&
         std::memcmp(a.params().data(), b.params().data(), a.params().size() * sizeof(float)) == 0;
}

// Metadata is JSON text: printable ASCII here, with quotes and backslashes that need escaping.
Metadata draw_metadata() {
  const auto text = rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127));
  return *rc::gen::container<Metadata>(rc::gen::nonEmpty(text), text);
}

RC_GTEST_PROP(WeightsIo, save_then_load_is_bit_exact, ()) {
  const Activation activation = prop::draw_activation();
  const Network net =
      prop::draw_network(draw<size_t>(1, 64), draw<size_t>(1, 64), 1.0f, activation);
  Metadata metadata = draw_metadata();
  const WeightsFile decoded = decode_weights(encode_weights(net, metadata));
  RC_ASSERT(same_params(decoded.net, net));
  RC_ASSERT(decoded.net.activation() == activation);
  metadata["format"] = "bloomnet/1";
  metadata["V"] = std::to_string(net.V());
  metadata["d"] = std::to_string(net.d());
  metadata["activation"] = to_string(activation);
  RC_ASSERT(decoded.metadata == metadata);
}

RC_GTEST_PROP(WeightsIo, every_truncation_is_a_clean_error, ()) {
  const Network net = prop::draw_network(draw<size_t>(1, 32), draw<size_t>(1, 32));
  const std::vector<uint8_t> bytes = encode_weights(net, draw_metadata());
  const size_t length = draw<size_t>(0, bytes.size() - 1);
  RC_ASSERT_THROWS_AS(decode_weights({bytes.data(), length}), Error);
}

// A changed header byte may still leave a valid file (a metadata character, padding); it must
// never crash or escape as anything but Error. The asan preset runs this too.
RC_GTEST_PROP(WeightsIo, any_single_byte_change_in_the_header_is_clean, ()) {
  const Network net = prop::draw_network(draw<size_t>(1, 32), draw<size_t>(1, 32));
  std::vector<uint8_t> bytes = encode_weights(net, draw_metadata());
  uint64_t header_size;
  std::memcpy(&header_size, bytes.data(), 8);
  const size_t at = draw<size_t>(0, 8 + header_size - 1);
  const auto value = *rc::gen::distinctFrom(bytes[at]);
  bytes[at] = value;
  try {
    const WeightsFile file = decode_weights(bytes);
    RC_ASSERT(file.net.V() >= 1u);
  } catch (const Error&) {
  }
}

TEST(WeightsIo, metadata_that_is_not_utf8_is_refused) {
  EXPECT_THROW(encode_weights(Network(1, 1), {{"\xD5", ""}}), Error);
}

TEST(WeightsIo, metadata_dimensions_must_agree_with_the_shapes) {
  std::vector<uint8_t> bytes = encode_weights(Network(3, 2), {});
  const std::string text(bytes.begin(), bytes.end());
  const size_t at = text.find("\"V\":\"3\"");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 5] = '4';
  EXPECT_THROW(decode_weights(bytes), Error);
}

TEST(WeightsIo, file_round_trip_and_clear_errors) {
  ScratchDir dir;
  const Network net(3, 2);
  const fs::path path = dir.path() / "net.safetensors";
  save_weights(path, net, {{"kind", "trained"}});
  EXPECT_TRUE(same_params(load_weights(path).net, net));
  EXPECT_THROW(load_weights(dir.path() / "missing.safetensors"), Error);
  EXPECT_THROW(load_weights(dir.path()), Error);
}

TEST(WeightsIo, refuses_nan_and_wrong_shapes_naming_the_tensor) {
  Network net(2, 3);
  net.W_in()[4] = NAN;
  try {
    decode_weights(encode_weights(net, {}));
    FAIL() << "NaN accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'W_in' holds NaN at [1, 1]"), std::string::npos)
        << e.what();
  }
  // A header that declares a shape its bytes do not match.
  const std::string header =
      R"({"W_in":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,8]}})";
  std::vector<uint8_t> bytes(8 + header.size() + 8);
  const uint64_t size = header.size();
  std::memcpy(bytes.data(), &size, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  EXPECT_THROW(decode_weights(bytes), Error);
}

TEST(AtomicFile, refuses_destinations_that_are_not_regular_files) {
  EXPECT_THROW(write_text_atomically("/dev/full", "x"), Error);
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
  ScratchDir dir;
  EXPECT_THROW(write_text_atomically(dir.path(), "x"), Error);
  EXPECT_THROW(write_text_atomically(dir.path() / "missing" / "file", "x"), Error);
}

// A save that fails for lack of space leaves the previous file whole and no temporary behind.
TEST(AtomicFile, full_disk_keeps_the_previous_file) {
  ScratchDir dir;
  TinyTmpfs disk(dir.path(), "tiny");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (not root)";
  const fs::path path = disk.path() / "net.safetensors";
  save_weights(path, Network(4, 4), {});
  const std::string before = read_file(path);
  EXPECT_THROW(save_weights(path, Network(200, 100), {}), Error);  // 160 kB: does not fit
  EXPECT_EQ(read_file(path), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(disk.path()), fs::directory_iterator()), 1);
}

TEST(AtomicFile, read_only_directory_keeps_the_previous_file) {
  ScratchDir dir;
  TinyTmpfs disk(dir.path(), "ro");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (not root)";
  const fs::path path = disk.path() / "result.txt";
  write_text_atomically(path, "old");
  ASSERT_TRUE(disk.make_read_only());
  EXPECT_THROW(write_text_atomically(path, "new"), Error);
  EXPECT_EQ(read_file(path), "old");
}

// A killed writer's temporary (unlocked) goes with the next save to the same destination; other
// destinations' temporaries and names that only look alike stay.
TEST(AtomicFile, the_next_save_removes_abandoned_temporaries) {
  ScratchDir dir;
  const fs::path path = dir.path() / "x.csv";
  for (const char* name : {".x.csv.tmp-a1B2c3", ".x.csv.tmp-Zz9yY8", ".y.csv.tmp-a1B2c3",
                           ".x.csv.tmp-notmkstemp", "x.csv.tmp-a1B2c3"}) {
    std::ofstream(dir.path() / name) << "partial";
  }
  write_text_atomically(path, "whole");
  EXPECT_EQ(read_file(path), "whole");
  EXPECT_FALSE(fs::exists(dir.path() / ".x.csv.tmp-a1B2c3"));
  EXPECT_FALSE(fs::exists(dir.path() / ".x.csv.tmp-Zz9yY8"));
  for (const char* name : {".y.csv.tmp-a1B2c3", ".x.csv.tmp-notmkstemp", "x.csv.tmp-a1B2c3"}) {
    EXPECT_TRUE(fs::exists(dir.path() / name)) << name;
  }
}

// Two writers of one destination: the second must not take the first one's temporary for
// abandoned; each commit is whole and the last rename wins.
TEST(AtomicFile, a_live_writers_temporary_is_kept) {
  ScratchDir dir;
  const fs::path path = dir.path() / "x.csv";
  AtomicFile first(path);
  first.write("first");
  ASSERT_EQ(temporaries_of(path), 1u);
  write_text_atomically(path, "second");
  EXPECT_EQ(read_file(path), "second");
  EXPECT_EQ(temporaries_of(path), 1u);
  first.commit();
  EXPECT_EQ(read_file(path), "first");
  EXPECT_EQ(temporaries_of(path), 0u);
}

}  // namespace
}  // namespace bloomnet
