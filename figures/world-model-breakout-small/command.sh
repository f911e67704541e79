# The run behind these figures and diamond/assets/breakout-small-world-model.pt (2-core CPU, bfloat16; about 2 h 25 min of
# compute on a quiet machine; see diamond/assets/README.md for the wall times):
.venv/bin/python -m diamond.train_world_model --game Breakout --profile small --run-dir runs/wm-breakout-small
cp runs/wm-breakout-small/figures/*.png runs/wm-breakout-small/{metrics.jsonl,results.json,config.json} figures/world-model-breakout-small/
