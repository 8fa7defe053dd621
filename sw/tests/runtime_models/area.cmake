# Included by sw/CMakeLists.txt for this test area: the real models come from the
# graph_models area's fixture (scripts/fetch-models.sh, cached under build/models).
list(APPEND area_props FIXTURES_REQUIRED human_models)
