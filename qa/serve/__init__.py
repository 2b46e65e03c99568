"""Front ends over the one ``ask()``: the HTTP API, the Gradio chat, the embeddable
widget's assets, and the guards in front of them."""
