# The run behind these figures and diamond/assets/breakout-small-world-model.pt (2-core CPU, 93 min):
.venv/bin/python -m diamond.train_world_model --game Breakout --profile small --run-dir runs/wm-breakout-small
cp runs/wm-breakout-small/figures/*.png runs/wm-breakout-small/{metrics.jsonl,results.json,config.json} figures/world-model-breakout-small/
