package app.fieldbook;

import com.getcapacitor.BridgeActivity;

public class MainActivity extends BridgeActivity {}
